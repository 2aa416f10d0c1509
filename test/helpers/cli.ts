// Runs the CLI in-process with captured output, or as a real process.
import { execa } from "execa";
import { main } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/io.ts";

export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
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

/** Runs `node bin/mittelo.mjs ...args` as a real process. */
export async function spawnCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeout?: number; clean?: boolean } = {},
): Promise<CliResult> {
  const result = await execa("node", [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...options.env },
    // clean: only the given env (no NODE_OPTIONS from the test runner, no real HOME, no API keys).
    extendEnv: !options.clean,
    input: options.input ?? "",
    reject: false,
    timeout: options.timeout ?? 60_000,
  });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
