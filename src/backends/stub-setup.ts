// A backend pointed at a model server (the stub): the env, args and HOME files of its manifest `stub` block, with
// {url} and {port} expanded. The matrix's stub profile, the agent (--stub-url) and the pair smoke use it.
import type { PlannedBackend } from "../manifest/plan-types.ts";
import { expand } from "./environment.ts";
import type { PrepareOptions } from "./prepare.ts";

/** Per-backend setup from an external service (the model stub): env, args, HOME files, placeholder values. */
export type BackendSetup = Pick<PrepareOptions, "extraEnv" | "extraArgs" | "homeFiles" | "vars">;

/** Env and args for one backend from its manifest `stub` block, with {url} and {port} expanded. */
export function stubSetup(backend: PlannedBackend, stub: { url: string; port: number }): BackendSetup | undefined {
  if (!backend.stub) return undefined;
  const vars = { url: stub.url, port: String(stub.port) };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(backend.stub.env ?? {})) env[key] = expand(value, vars);
  if (backend.stub.model) env[backend.model.env] = backend.stub.model;
  return { extraEnv: env, extraArgs: (backend.stub.args ?? []).map((a) => expand(a, vars)), homeFiles: backend.stub.files, vars };
}
