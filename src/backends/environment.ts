// The environment a backend process sees: the caller's env without the secrets the backend does not declare
// (least privilege), the sandbox's HOME/XDG/TMPDIR/work dir, the model variable, and the manifest's env with
// {model} {home} {workdir} {url} {port} expanded.
import type { PlannedBackend } from "../manifest/plan-types.ts";
import { isSecretVar } from "../util/redact.ts";

/** The hub credential: it never reaches a backend, whatever the manifest says. */
export const HUB_TOKEN_ENV = "MITTELO_TOKEN";

/** Replaces `{name}` placeholders; unknown placeholders are left as they are. */
export function expand(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\{([a-z_]+)\}/g, (whole, key: string) => vars[key] ?? whole);
}

/** The model this backend will use: MITTELO_<NAME>_MODEL from the environment, else the manifest default. */
export function modelOf(backend: PlannedBackend, base: Record<string, string | undefined>): string {
  return base[backend.model.env] || backend.model.default;
}

type EnvBackend = Pick<PlannedBackend, "requires" | "stub" | "env" | "passEnv">;

/** Whether a backend declares the secret variable `name`: requires.env_any_of/env_all_of, stub.env, env or pass_env (`PREFIX*` too). */
export function declaresSecret(backend: EnvBackend, name: string): boolean {
  if (name === HUB_TOKEN_ENV) return false;
  const { requires } = backend;
  if (requires.env_any_of?.includes(name) || requires.env_all_of?.includes(name)) return true;
  if (backend.stub?.env && name in backend.stub.env) return true;
  if (name in backend.env) return true;
  return (backend.passEnv ?? []).some((p) => (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : p === name));
}

/**
 * The part of the caller's environment a backend may see: everything but the secrets (secret-looking names, the
 * names in `secretNames` = defaults.redact_env, URLs with a password) it does not declare; never MITTELO_TOKEN.
 * `withheld` lists the names kept from it.
 */
export function visibleEnv(
  backend: EnvBackend,
  base: Record<string, string | undefined>,
  secretNames: readonly string[] = [],
): { env: Record<string, string>; withheld: string[] } {
  const env: Record<string, string> = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (name === HUB_TOKEN_ENV || (isSecretVar(name, value, secretNames) && !declaresSecret(backend, name))) withheld.push(name);
    else env[name] = value;
  }
  return { env, withheld };
}

export interface EnvOptions {
  base: Record<string, string | undefined>;
  /** The sandbox's variables (HOME, XDG_*, TMPDIR, MITTELO_SUBPROCESS_*). */
  sandbox: Record<string, string>;
  /** Extra variables (stub env, MITTELO_TASK_ID, …), applied last. */
  extra?: Record<string, string> | undefined;
  /** Placeholder values besides model/home/workdir (the stub's url and port). */
  vars?: Record<string, string> | undefined;
  /** defaults.redact_env: more names treated as secrets. */
  secretNames?: readonly string[] | undefined;
}

export function backendEnv(backend: PlannedBackend, options: EnvOptions): { env: Record<string, string>; withheld: string[] } {
  const { env, withheld } = visibleEnv(backend, options.base, options.secretNames);
  Object.assign(env, options.sandbox);
  const model = modelOf(backend, { ...options.base, ...options.extra });
  if (model) env[backend.model.env] = model;
  const vars = { model, home: env.HOME, workdir: env.MITTELO_SUBPROCESS_WORKDIR, ...options.vars };
  for (const [key, value] of Object.entries(backend.env)) env[key] = expand(value, vars);
  Object.assign(env, options.extra);
  delete env[HUB_TOKEN_ENV];
  return { env, withheld };
}

/** The argv with placeholders expanded; `{prompt}` only when the backend takes the prompt as an argument. */
export function backendArgv(argv: string[], vars: Record<string, string | undefined>): string[] {
  return argv.map((arg) => expand(arg, vars));
}
