// The event stream of a matrix run (NDJSON in events.ndjson). Every report is rendered from these events alone.
import type { Check, Outcome, Verdict } from "../backends/verdict.ts";
import type { Outcome as Expected } from "../manifest/plan-types.ts";
import type { PreflightResult } from "../preflight/types.ts";

export interface RunStartEvent {
  type: "run-start";
  ts: string;
  tool: { name: "mittelo"; version: string };
  manifest: { path: string; sha256: string };
  profile: string | null;
  env: { node: string; os: string; arch: string; ci: boolean };
  outDir: string;
  command: string[];
  settings: { concurrency: number; stub: boolean; runOnWarn: boolean };
  backends: Array<{ name: string; source: "manifest" | "folder"; expected: Expected; cases: string[]; description: string }>;
  excluded: Array<{ name: string; why: string }>;
  pairs: Array<{ name: string; a: string; b: string; expected: Expected }>;
}

export interface PreflightEvent {
  type: "preflight";
  ts: string;
  backend: string;
  result: PreflightResult;
  /** run: the cases will run; skip: preflight decided SKIP for every case. */
  decision: "run" | "skip";
}

export interface CaseStartEvent {
  type: "case-start";
  ts: string;
  backend: string;
  case: string;
}

export interface CaseEndEvent {
  type: "case-end";
  ts: string;
  backend: string;
  case: string;
  verdict: Verdict;
  checks: Check[];
  /** Absent when the case never ran (preflight SKIP, --bail). */
  run?: {
    argv: string[];
    exitCode: number | null;
    signal: string | null;
    startedAt: string;
    endedAt: string;
    durationMs: number;
    timedOut: boolean;
    stdoutBytes: number;
    stderrBytes: number;
    stdoutTruncated: boolean;
    stderrTruncated: boolean;
    answer: string;
    stderrTail: string;
  };
  artifacts?: { dir: string; stdout: string; stderr: string; result: string };
  stub?: { requests: number; endpoints: Record<string, number>; bytes: number; log?: string };
}

export interface BackendEndEvent {
  type: "backend-end";
  ts: string;
  backend: string;
  outcome: Outcome;
  expected: Expected;
  matches: boolean;
}

export interface PairEndEvent {
  type: "pair-end";
  ts: string;
  pair: string;
  a: string;
  b: string;
  verdict: Verdict;
  expected: Expected;
  matches: boolean;
  durationMs: number;
  details: Record<string, unknown>;
  artifacts?: string;
}

export interface RunEndEvent {
  type: "run-end";
  ts: string;
  durationMs: number;
  exitCode: number;
  counts: Record<Outcome, number>;
  mismatches: string[];
}

export type MatrixEvent = RunStartEvent | PreflightEvent | CaseStartEvent | CaseEndEvent | BackendEndEvent | PairEndEvent | RunEndEvent;
