// Prepares a backend to run: its sandbox (HOME, work dir), auth files copied in, its environment and argv.
// Used once per backend by the harness, the agent and the stub profile, then for every prompt.
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { PlanSettings, PlannedBackend } from "../manifest/plan-types.ts";
import { backendArgv, backendEnv, createSandbox, modelOf, type Sandbox } from "./environment.ts";

export interface PrepareOptions {
  /** The caller's environment. */
  env: NodeJS.ProcessEnv;
  /** Work dir when there is no sandbox and MITTELO_SUBPROCESS_WORKDIR is unset (the caller's cwd). */
  cwd?: string;
  /** Directory for this backend's sandbox; undefined = no sandbox (real HOME, cwd as work dir). */
  sandboxRoot?: string;
  sandbox: PlanSettings["sandbox"];
  /** Extra env (stub URLs, MITTELO_TASK_ID, …) and placeholder values ({url}, {port}). */
  extraEnv?: Record<string, string>;
  vars?: Record<string, string>;
  /** Extra CLI arguments (stub), inserted before a trailing `-` or `{prompt}` argument. */
  extraArgs?: string[];
  /** Files to write into the sandboxed HOME (path relative to HOME → content). */
  homeFiles?: Record<string, string>;
}

export interface PreparedBackend {
  backend: PlannedBackend;
  sandbox: Sandbox;
  env: Record<string, string>;
  /** argv with placeholders expanded except `{prompt}` (filled per run). */
  argv: string[];
  vars: Record<string, string>;
  /** Auth files copied from the real HOME into the sandbox. */
  copiedAuth: string[];
}

export function prepareBackend(backend: PlannedBackend, options: PrepareOptions): PreparedBackend {
  const sandbox: Sandbox = options.sandboxRoot
    ? createSandbox(options.sandboxRoot, { home: options.sandbox.home })
    : { home: options.env.MITTELO_SUBPROCESS_HOME, workdir: options.env.MITTELO_SUBPROCESS_WORKDIR ?? options.cwd ?? "." };
  const copiedAuth = options.sandboxRoot && sandbox.home && options.sandbox.copyAuth ? copyAuthFiles(backend, options.env.HOME ?? homedir(), sandbox.home) : [];
  if (sandbox.home) {
    for (const [relative, content] of Object.entries(options.homeFiles ?? {})) {
      const target = join(sandbox.home, relative);
      mkdirSync(dirname(target), { recursive: true });
      writeText(target, content, options.vars ?? {});
    }
  }
  const env = backendEnv(backend, { base: options.env, sandbox, extra: options.extraEnv, vars: options.vars });
  const vars: Record<string, string> = {
    model: modelOf(backend, { ...options.env, ...options.extraEnv }),
    workdir: sandbox.workdir,
    home: env.HOME ?? "",
    ...options.vars,
  };
  const base = backend.invocation.kind === "argv" ? backendArgv(backend.invocation.argv, { ...vars, prompt: "{prompt}" }) : [backend.invocation.path];
  const argv = insertArgs(base, options.extraArgs ?? []);
  return { backend, sandbox, env, argv, vars, copiedAuth };
}

/** Inserts arguments before a trailing `-` (stdin marker) or `{prompt}` argument, else at the end. */
export function insertArgs(argv: string[], extra: string[]): string[] {
  if (!extra.length) return argv;
  const last = argv.at(-1);
  if (argv.length > 1 && (last === "-" || last?.includes("{prompt}"))) return [...argv.slice(0, -1), ...extra, last as string];
  return [...argv, ...extra];
}

function copyAuthFiles(backend: PlannedBackend, realHome: string, sandboxHome: string): string[] {
  const copied: string[] = [];
  for (const relative of backend.requires.auth_files ?? []) {
    const source = join(realHome, relative);
    try {
      if (!existsSync(source) || !statSync(source).isFile()) continue;
      const target = join(sandboxHome, relative);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(source, target);
      copied.push(relative);
    } catch {
      // An unreadable auth file is the same as none: preflight will say so.
    }
  }
  return copied;
}

function writeText(path: string, content: string, vars: Record<string, string>): void {
  writeFileSync(
    path,
    content.replace(/\{([a-z_]+)\}/g, (whole, key: string) => vars[key] ?? whole),
  );
}
