// Runs the CLI in-process with captured output, or as a real process.
import { execa } from "execa";
import { main } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/io.ts";

export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

// A test suite run inside GitHub Actions must not annotate the workflow or append to its step summary with the
// fixtures' outcomes: runCli runs in this process, and spawnCli's env (cliEnv) drops them unless a test sets them.
const GITHUB_VARS = ["GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"];
for (const name of GITHUB_VARS) delete process.env[name];
export const BIN = `${ROOT}/bin/mittelo.mjs`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mittelo ...args` in this process (fast; for output and exit-code checks). */
export async function runCli(args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  let code = 0;
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    exit: (c) => {
      code = Math.max(code, c);
    },
    exitCode: () => code,
    isTTY: false,
  };
  const exitCode = await main(args, io);
  return { code: exitCode, stdout, stderr };
}

/** Runs `mittelo ...args` in this process with these environment variables set (undefined: unset), then restores them. */
export async function runCliWithEnv(args: string[], vars: Record<string, string | undefined>): Promise<CliResult> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await runCli(args);
  } finally {
    apply(saved);
  }
}

/**
 * The env of a CLI under test: this process's env without colours and without the hub address and token a developer may
 * have exported (MITTELO_HOST, MITTELO_PORT, MITTELO_TOKEN), unless `extra` sets them; then `extra`.
 */
export function cliEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...extra };
  for (const name of ["MITTELO_HOST", "MITTELO_PORT", "MITTELO_TOKEN", ...GITHUB_VARS]) if (!(name in extra)) delete env[name];
  return env;
}

/** Runs `node bin/mittelo.mjs ...args` as a real process (killed at `timeout`, 60 s by default, so a hang fails). */
export async function spawnCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeout?: number; clean?: boolean } = {},
): Promise<CliResult> {
  const result = await execa("node", [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    // clean: only the given env (no NODE_OPTIONS from the test runner, no real HOME, no API keys).
    env: options.clean ? { ...options.env } : cliEnv(options.env),
    extendEnv: false,
    input: options.input ?? "",
    reject: false,
    stripFinalNewline: false, // the output exactly as a user sees it
    timeout: options.timeout ?? 60_000,
  });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
