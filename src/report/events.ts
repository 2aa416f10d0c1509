// The event stream of a matrix run (NDJSON in events.ndjson). Every report is rendered from these events alone, and
// `mittelo report merge` rebuilds every report from several streams, so the stream is kept narrow and versioned:
// schemas/events.schema.json describes each line (a test validates real runs against it; merge validates its input).
import { outcomeMatches, type Result } from "../backends/outcome.ts";
import type { Check, Verdict } from "../backends/verdict.ts";
import type { ShardBy } from "../manifest/partition.ts";
import type { Excluded, Outcome as Expected, PlannedPair } from "../manifest/plan-types.ts";
import type { PreflightResult } from "../preflight/types.ts";

/** The format of this stream. A merge refuses streams of another format (and of a newer mittelo). */
export const EVENTS_FORMAT = "mittelo-events/2";

export interface RunEnv {
  node: string;
  os: string;
  arch: string;
  ci: boolean;
  loopback?: boolean;
}

export interface RunStartEvent {
  type: "run-start";
  ts: string;
  format: typeof EVENTS_FORMAT;
  /** Unique per run: the same run given twice to a merge is refused; two runs of one shard are attempts. */
  runId: string;
  tool: { name: "mittelo"; version: string };
  manifest: { path: string; sha256: string };
  profile: string | null;
  /** The machine: `--label`, default `<os>-<arch>`. */
  label: string;
  env: RunEnv;
  outDir: string;
  command: string[];
  settings: { concurrency: number; stub: boolean; runOnWarn: boolean };
  /** The whole plan (every machine and shard of it computes the same): its hash, --repeat, its cells, backends and pairs. */
  plan: { hash: string; repeat: number; cells: number; backends: string[]; pairs: string[] };
  /** This run's share of the plan (`--shard i/n`), null for the whole plan. */
  shard: ShardInfo | null;
  /** The backends this run runs (all of the plan's without --shard). `cases` are the plan's; `cells` those run here. */
  backends: Array<{
    name: string;
    source: "manifest" | "folder";
    expected: Expected;
    cases: string[];
    description: string;
    cells: number;
    /** Line of the backend's key in the manifest. */
    line?: number;
    /** `min_pass_rate` per case name, for the cases that set one. */
    minPassRate?: Record<string, number>;
  }>;
  excluded: Excluded[];
  /** The pairs this run runs. */
  pairs: Array<{ name: string; a: string; b: string; expected: Expected; line?: number }>;
  /** Only in a merged stream: where it came from. */
  merged?: MergeInfo;
}

export interface ShardInfo {
  index: number;
  total: number;
  by: ShardBy;
  basis: "count" | "timings";
  /** The hash of the whole split: every shard of one split has the same. */
  partition: string;
  /** The ids of the cells of this shard. */
  cells: string[];
}

export interface MergeInfo {
  /** Every stream given to the merge, and whether it was used (a shard's older attempt is not). */
  streams: Array<{ source: string; label: string; shard: string; runId: string; startedAt: string; used: boolean; note?: string }>;
  /** The machines (labels) merged, with where each ran. */
  machines: Array<{ label: string; env: RunEnv; shards: number }>;
  /** What the merge decided that a reader should know (re-run shards). */
  notes: string[];
}

export interface PreflightEvent {
  type: "preflight";
  ts: string;
  backend: string;
  result: PreflightResult;
  /** run: the cases will run; skip: preflight decided SKIP for every case. */
  decision: "run" | "skip";
  /** A shard checked a backend it runs no cell of, only to gate a pair. */
  gateOnly?: boolean;
  /** The machine, in a merged stream (else the run-start's). */
  label?: string;
}

/** Which cell an event is about, and when. */
interface CellEvent {
  ts: string;
  backend: string;
  case: string;
  /** `backend/case#repetition`. */
  cell: string;
  /** 1-based, up to --repeat. */
  repetition: number;
  label?: string;
}

export interface CaseStartEvent extends CellEvent {
  type: "case-start";
}

export interface CaseEndEvent extends CellEvent {
  type: "case-end";
  verdict: Verdict;
  checks: Check[];
  /** Absent when the case never ran (preflight SKIP, --bail). */
  run?: {
    argv: string[];
    /** The directory it ran in, and what its stdin got (the prompt, or nothing when the prompt is an argument). */
    cwd?: string;
    stdin?: "prompt" | "empty";
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
  artifacts?: { dir: string; prompt?: string; stdout: string; stderr: string; result: string };
  stub?: { requests: number; endpoints: Record<string, number>; bytes: number; log?: string };
}

export interface BackendEndEvent {
  type: "backend-end";
  ts: string;
  backend: string;
  outcome: Result;
  expected: Expected;
  matches: boolean;
  label?: string;
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
  label?: string;
}

/** The pair-end event of a planned pair with its verdict (judged against the pair's expectation). */
export function pairEndEvent(
  pair: Pick<PlannedPair, "name" | "a" | "b" | "expected">,
  verdict: Verdict,
  run: { durationMs: number; details?: Record<string, unknown>; artifacts?: string | undefined },
): PairEndEvent {
  return {
    type: "pair-end",
    ts: new Date().toISOString(),
    pair: pair.name,
    a: pair.a,
    b: pair.b,
    verdict,
    expected: pair.expected,
    matches: outcomeMatches(pair.expected, verdict.outcome),
    durationMs: run.durationMs,
    details: run.details ?? {},
    ...(run.artifacts ? { artifacts: run.artifacts } : {}),
  };
}

export interface RunEndEvent {
  type: "run-end";
  ts: string;
  durationMs: number;
  exitCode: number;
  counts: Record<Result, number>;
  mismatches: string[];
  /** --bail: the unexpected outcome that stopped the run (TAP ends with `Bail out!` after that backend). */
  bailOut?: { backend: string; message: string };
}

export type MatrixEvent = RunStartEvent | PreflightEvent | CaseStartEvent | CaseEndEvent | BackendEndEvent | PairEndEvent | RunEndEvent;
