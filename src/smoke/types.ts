// The pair smoke's options and result: one record for PASS, FAIL, SKIP and ERROR.
import type { Verdict } from "../backends/verdict.ts";
import type { StubMode } from "../stub/types.ts";

export interface PairSmokeOptions {
  /** Manifest the agents are started with (same --manifest). */
  manifest: string;
  backendA: string;
  backendB: string;
  /** Test name (`<a>-<b>` by default). */
  name?: string;
  tasks: number;
  timeoutMs: number;
  outDir: string;
  chaos?: boolean;
  /** Run both backends against a local model stub (their manifest `stub` blocks); answers are then checked exactly. */
  stub?: boolean;
  /** How the stubs answer (implies stub): each agent's classifier, and the pair's verdict, see what they answered. */
  stubMode?: StubMode;
  /** Stops the smoke (Ctrl-C); everything is still shut down. */
  signal?: AbortSignal;
  /** The environment the hub, the agents and their backends start from. */
  env: NodeJS.ProcessEnv;
  /** Grace between SIGTERM and SIGKILL of the hub and agents (default 1500 ms). */
  killGraceMs?: number;
  /** Limit for starting the hub and the agents (default 30 s); not part of the timeout. */
  startupMs?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface Mismatch {
  task_id: number;
  worker: string | null;
  expected: string;
  got: string;
}

export interface PairDetails {
  tasks: number;
  done: number;
  failed: number;
  /** Tasks acked `done` more than once (from the agents' logs). */
  duplicates: number;
  split: { a: number; b: number };
  /** Extra leases: the sum of attempts - 1 over all tasks. */
  releases: number;
  /** Acks the hub rejected because another worker held the task (from the agents' logs). */
  fencedAcks: number;
  mismatches: Mismatch[];
  failedTasks: Array<{ task_id: number; worker: string | null; error: string }>;
  pending: number[];
  chaos?: { killedTask?: number; delayedTask?: number; restarts: number };
}

export interface PairResult {
  version: 1;
  pair: string;
  a: { backend: string; workerId: string };
  b: { backend: string; workerId: string };
  tasks: number;
  timeoutMs: number;
  chaos: boolean;
  verdict: Verdict;
  details: PairDetails;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** From the first enqueue to the last task finished (null when the batch never ran). */
  workMs: number | null;
  hub: { url: string | null };
  processes: Array<{ role: string; pid: number }>;
  artifacts: { dir: string; files: string[] };
}

export function emptyDetails(tasks: number): PairDetails {
  return { tasks, done: 0, failed: 0, duplicates: 0, split: { a: 0, b: 0 }, releases: 0, fencedAcks: 0, mismatches: [], failedTasks: [], pending: [] };
}
