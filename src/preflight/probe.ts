// Runs one probe of a real CLI (`--version`, `--help`, `auth status`) through the one spawn path:
// stdin closed at once, sandboxed HOME, short timeout with group kill, small capture. A probe can never hang a check.
import { invoke } from "../backends/invoke.ts";
import type { RunRecord } from "../backends/run-record.ts";
import { probeEnv } from "./home.ts";

export interface ProbeContext {
  env: Record<string, string>;
  home: string;
  timeoutMs: number;
}

export type Prober = (argv: string[]) => Promise<RunRecord>;

const PROBE_CAP = 256 * 1024;

export function prober(ctx: ProbeContext): Prober {
  const env = probeEnv(ctx.env, ctx.home);
  return (argv) => invoke({ argv, stdin: "", env, cwd: ctx.home, timeoutMs: ctx.timeoutMs, killGraceMs: 300, outputCapBytes: PROBE_CAP });
}

/** The command as people type it, for messages. */
export function shown(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(" ");
}

/** The last non-empty line of a probe's output: the evidence of what it printed. */
export function lastLine(record: RunRecord): string {
  const lines = `${record.stdout}\n${record.stderr}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.at(-1) ?? "").slice(0, 200);
}

/** A timed-out probe as a finding's evidence. */
export function timeoutEvidence(record: RunRecord, timeoutMs: number): string {
  const line = lastLine(record);
  return `stopped after ${timeoutMs} ms${line ? `; last output: ${line}` : "; no output"}`;
}
