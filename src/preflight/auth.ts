// Is the CLI authenticated? Env vars, auth files under the HOME the CLI will see, and a fast auth command.
// Names only: the values of env vars never reach a finding.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Requires } from "../manifest/plan-types.ts";
import { lastLine, type Prober, shown, timeoutEvidence } from "./probe.ts";
import type { Finding } from "./types.ts";

export interface AuthInput {
  requires: Requires;
  env: Record<string, string | undefined>;
  /** The HOME the CLI will see: MITTELO_SUBPROCESS_HOME when set, else HOME. */
  home: string | undefined;
  login: string | undefined;
  /** Runs the auth command; undefined when it cannot run (no binary). */
  run?: Prober;
  timeoutMs: number;
}

/** The HOME auth files are looked up in. */
export function authHome(env: Record<string, string | undefined>): string | undefined {
  return env.MITTELO_SUBPROCESS_HOME || env.HOME || undefined;
}

const isSet = (env: Record<string, string | undefined>, name: string) => (env[name] ?? "") !== "";

export function checkEnvAllOf(requires: Requires, env: Record<string, string | undefined>): Finding[] {
  const missing = (requires.env_all_of ?? []).filter((name) => !isSet(env, name));
  if (!missing.length) return [];
  return [
    {
      code: "env-missing",
      severity: "fail",
      message: `required environment variable${missing.length > 1 ? "s" : ""} not set: ${missing.join(", ")}`,
      evidence: `env_all_of: ${(requires.env_all_of ?? []).join(", ")}`,
      hint: missing.map((name) => `export ${name}=…`).join("; "),
    },
  ];
}

export async function checkAuth(input: AuthInput): Promise<Finding[]> {
  const { requires, env, home } = input;
  const anyOf = requires.env_any_of ?? [];
  const files = requires.auth_files ?? [];
  const command = requires.auth_command;
  if (!anyOf.length && !files.length && !command) return [];
  const evidence: string[] = [];

  const viaEnv = anyOf.find((name) => isSet(env, name));
  if (viaEnv) return [info(`authenticated through ${viaEnv}`, `env ${viaEnv} is set`)];
  if (anyOf.length) evidence.push(`none of ${anyOf.join(", ")} set`);

  const viaFile = home ? files.find((file) => existsSync(join(home, file))) : undefined;
  if (viaFile && home) return [info(`authenticated through ${viaFile}`, `found ${join(home, viaFile)}`)];
  if (files.length) evidence.push(home ? `no ${files.map((f) => join(home, f)).join(", ")}` : "HOME not set: auth files not looked for");

  if (command && input.run) {
    const record = await input.run(command.argv);
    const text = `${record.stdout}\n${record.stderr}`;
    const cmd = shown(command.argv);
    if (record.timedOut) {
      evidence.push(`\`${cmd}\` ${timeoutEvidence(record, input.timeoutMs)}`);
    } else {
      const failed = command.fail_pattern ? new RegExp(command.fail_pattern, "i").test(text) : false;
      const ok = command.ok_pattern ? new RegExp(command.ok_pattern, "i").test(text) : record.exitCode === 0;
      if (ok && !failed) return [info(`authenticated (\`${cmd}\`)`, lastLine(record))];
      evidence.push(`\`${cmd}\` exit ${record.exitCode ?? record.signal}: ${record.spawnError?.message ?? (lastLine(record) || "(no output)")}`);
    }
  }

  const required = requires.auth_required === true;
  return [
    {
      code: "auth-missing",
      severity: required ? "fail" : "warn",
      message: required ? "not authenticated (the manifest marks auth as required)" : "no login detected (the CLI may still be logged in some other way)",
      evidence: evidence.join("; "),
      hint: input.login ?? (anyOf.length ? `export ${anyOf[0]}=…` : "log in to the CLI"),
    },
  ];
}

function info(message: string, evidence: string): Finding {
  return { code: "auth-ok", severity: "info", message, evidence };
}
