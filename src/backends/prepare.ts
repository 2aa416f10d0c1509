// Prepares a backend to run: its sandbox (sandbox.ts), its environment (environment.ts) and argv.
// Used once per backend by the harness, the agent, the pair smoke's gate and `mittelo exec`, then for every prompt.
import { homedir } from "node:os";
import type { PlanSettings, PlannedBackend } from "../manifest/plan-types.ts";
import type { Redactor } from "../util/redact.ts";
import { backendArgv, backendEnv, expand, modelOf } from "./environment.ts";
import { createSandbox, type Sandbox, type ScrubReport } from "./sandbox.ts";

export interface PrepareOptions {
  /** The caller's environment. */
  env: Record<string, string | undefined>;
  sandbox: PlanSettings["sandbox"];
  /** defaults.redact_env: more variable names treated as secrets (withheld unless declared). */
  secretNames?: readonly string[] | undefined;
  /**
   * Where the work dir is: `keep` a folder created there and kept (the matrix: `<report>/<backend>/work`); undefined:
   * inside the private sandbox (agent, pair gate); `nested` (mittelo exec): the caller's MITTELO_SUBPROCESS_WORKDIR or
   * cwd, and the caller's sandboxed HOME when it has one (MITTELO_SUBPROCESS_HOME).
   */
  workdir?: { keep: string } | "nested" | undefined;
  /** The caller's cwd (the work dir of `nested`, or when sandbox.workdir is false). */
  cwd?: string | undefined;
  /** Name part of the private folder; default the backend's name. */
  label?: string | undefined;
  /** Extra env (stub URLs, MITTELO_TASK_ID, …) and placeholder values ({url}, {port}). */
  extraEnv?: Record<string, string> | undefined;
  vars?: Record<string, string> | undefined;
  /** Extra CLI arguments (stub), inserted before a trailing `-` or `{prompt}` argument. */
  extraArgs?: string[] | undefined;
  /** Files to write into the sandboxed HOME (path relative to HOME → content, placeholders expanded). */
  homeFiles?: Record<string, string> | undefined;
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
  /** Secret variables of the caller's env this backend does not see (names only). */
  withheld: string[];
  /** Removes the sandbox's private folder and scrubs a kept work dir (see sandbox.ts). */
  dispose(redact?: Redactor): ScrubReport;
}

export function prepareBackend(backend: PlannedBackend, options: PrepareOptions): PreparedBackend {
  const cwd = options.cwd ?? ".";
  const nested = options.workdir === "nested";
  const outerHome = nested ? options.env.MITTELO_SUBPROCESS_HOME || undefined : undefined;
  const workdir = nested
    ? { use: options.env.MITTELO_SUBPROCESS_WORKDIR || cwd }
    : !options.sandbox.workdir
      ? { use: cwd }
      : options.workdir && options.workdir !== "nested"
        ? options.workdir
        : undefined;
  const placeholders = options.vars ?? {};
  const sandbox = createSandbox({
    label: options.label ?? backend.name,
    home: options.sandbox.home,
    outerHome,
    workdir,
    realHome: options.env.HOME || homedir(),
    authFiles: options.sandbox.copyAuth ? backend.requires.auth_files : [],
    homeFiles: Object.fromEntries(Object.entries(options.homeFiles ?? {}).map(([path, content]) => [path, expand(content, placeholders)])),
  });
  try {
    const { env, withheld } = backendEnv(backend, {
      base: options.env,
      sandbox: sandbox.env,
      extra: options.extraEnv,
      vars: options.vars,
      secretNames: options.secretNames,
    });
    const vars: Record<string, string> = {
      model: modelOf(backend, { ...options.env, ...options.extraEnv }),
      workdir: sandbox.workdir,
      home: env.HOME ?? "",
      ...options.vars,
    };
    const base = backend.invocation.kind === "argv" ? backendArgv(backend.invocation.argv, { ...vars, prompt: "{prompt}" }) : [backend.invocation.path];
    const argv = insertArgs(base, options.extraArgs ?? []);
    return { backend, sandbox, env, argv, vars, copiedAuth: sandbox.copiedAuth, withheld, dispose: (redact) => sandbox.dispose(redact) };
  } catch (error) {
    sandbox.dispose();
    throw error;
  }
}

/** Inserts arguments before a trailing `-` (stdin marker) or `{prompt}` argument, else at the end. */
export function insertArgs(argv: string[], extra: string[]): string[] {
  if (!extra.length) return argv;
  const last = argv.at(-1);
  if (argv.length > 1 && (last === "-" || last?.includes("{prompt}"))) return [...argv.slice(0, -1), ...extra, last as string];
  return [...argv, ...extra];
}
