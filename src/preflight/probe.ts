// Runs one probe of a real CLI (`--version`, `--help`, `auth status`) through the one spawn path:
// stdin closed at once, sandboxed HOME, short timeout with group kill, small capture. A probe can never hang a check.
import { invoke } from "../backends/invoke.ts";
import type { RunRecord } from "../backends/run-record.ts";

export interface ProbeContext {
  /** The probe's whole environment (the backend's visible env with the sandbox's HOME, XDG_*, TMPDIR). */
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  /** Stops a running probe at once (its process group is killed): the run was interrupted. */
  signal?: AbortSignal | undefined;
}

export type Prober = (argv: string[]) => Promise<RunRecord>;

const PROBE_CAP = 256 * 1024;

export function prober(ctx: ProbeContext): Prober {
  return (argv) =>
    invoke({ argv, stdin: "", env: ctx.env, cwd: ctx.cwd, timeoutMs: ctx.timeoutMs, killGraceMs: 300, outputCapBytes: PROBE_CAP, signal: ctx.signal });
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
