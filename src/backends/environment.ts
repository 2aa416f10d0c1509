// The environment a backend process sees: the caller's env, the sandboxed HOME and XDG dirs, the work dir,
// the model variable, and the manifest's env with {model} {home} {workdir} {url} {port} expanded.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { PlannedBackend } from "../manifest/plan-types.ts";

export interface Sandbox {
  /** HOME the backend sees (MITTELO_SUBPROCESS_HOME); undefined = the real HOME. */
  home?: string;
  /** Directory the backend runs in (MITTELO_SUBPROCESS_WORKDIR). */
  workdir: string;
}

/** Creates the sandbox directories (HOME, its XDG dirs, the work dir). */
export function createSandbox(root: string, options: { home: boolean }): Sandbox {
  const workdir = join(root, "work");
  mkdirSync(workdir, { recursive: true });
  if (!options.home) return { workdir };
  const home = join(root, "home");
  for (const dir of [".config", ".local/share", ".cache", ".local/state"]) mkdirSync(join(home, dir), { recursive: true });
  return { home, workdir };
}

/** Replaces `{name}` placeholders; unknown placeholders are left as they are. */
export function expand(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\{([a-z_]+)\}/g, (whole, key: string) => vars[key] ?? whole);
}

export interface EnvOptions {
  base: NodeJS.ProcessEnv;
  sandbox: Sandbox;
  /** Extra variables (stub env, MITTELO_TASK_ID, …), applied last. */
  extra?: Record<string, string>;
  /** Placeholder values besides model/home/workdir (the stub's url and port). */
  vars?: Record<string, string>;
}

/** The model this backend will use: MITTELO_<NAME>_MODEL from the environment, else the manifest default. */
export function modelOf(backend: PlannedBackend, base: NodeJS.ProcessEnv): string {
  return base[backend.model.env] || backend.model.default;
}

export function backendEnv(backend: PlannedBackend, options: EnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.base)) if (value !== undefined) env[key] = value;
  const { home, workdir } = options.sandbox;
  if (home) {
    mkdirSync(join(home, ".cache", "tmp"), { recursive: true });
    Object.assign(env, {
      TMPDIR: join(home, ".cache", "tmp"),
      HOME: home,
      USERPROFILE: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_DATA_HOME: join(home, ".local/share"),
      XDG_CACHE_HOME: join(home, ".cache"),
      XDG_STATE_HOME: join(home, ".local/state"),
      MITTELO_SUBPROCESS_HOME: home,
    });
  }
  env.MITTELO_SUBPROCESS_WORKDIR = workdir;
  const model = modelOf(backend, { ...options.base, ...options.extra });
  if (model) env[backend.model.env] = model;
  const vars = { model, home: env.HOME, workdir, ...options.vars };
  for (const [key, value] of Object.entries(backend.env)) env[key] = expand(value, vars);
  Object.assign(env, options.extra);
  return env;
}

/** The argv with placeholders expanded; `{prompt}` only when the backend takes the prompt as an argument. */
export function backendArgv(argv: string[], vars: Record<string, string | undefined>): string[] {
  return argv.map((arg) => expand(arg, vars));
}
