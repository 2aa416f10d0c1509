// What the model server answered while a backend ran. Known only when the harness runs the backend against its own
// model stub: then a CLI that retries 429s until it is killed is told apart from a hang. Pure: no I/O.
import { formatMs } from "../util/units.ts";
import type { RunRecord } from "./run-record.ts";
import type { Verdict } from "./verdict.ts";

/** One model call as the server logged it: its HTTP status (null: no answer sent) and the server's mode. */
export interface ModelCall {
  status: number | null;
  mode: string;
}

/**
 * The model calls made during a run, as far as the server still remembers them: it keeps a window of the latest
 * requests, so a CLI that made thousands leaves only the last ones; `omitted` counts the requests it no longer has.
 */
export interface ModelCalls {
  calls: ModelCall[];
  omitted: number;
}

/** Takes a mark before a run and returns the model calls made since (the mark is the observer's own, opaque). */
export interface UpstreamObserver {
  mark(): unknown;
  since(mark: unknown): ModelCalls;
}

interface Kind {
  test: (call: ModelCall) => boolean;
  outcome: "SKIP" | "FAIL";
  reason: string;
  what: string;
  hint: string;
}

const KINDS: Kind[] = [
  { test: (c) => c.status === 429, outcome: "SKIP", reason: "quota", what: "429 (quota)", hint: "wait for the quota to reset or use another key/plan" },
  {
    test: (c) => c.status === 401 || c.status === 403,
    outcome: "SKIP",
    reason: "auth",
    what: "401/403 (auth)",
    hint: "log in or set the API key, then run again",
  },
  {
    test: (c) => c.status !== null && c.status >= 500,
    outcome: "FAIL",
    reason: "server",
    what: "5xx (server error)",
    hint: "a provider outage: run again later; if it persists against a working server, the wrapper or CLI is at fault",
  },
  {
    test: (c) => c.status === 200 && c.mode === "garbage",
    outcome: "FAIL",
    reason: "protocol",
    what: "invalid bodies (garbage)",
    hint: "the CLI got responses it cannot parse: check proxies between it and the provider",
  },
];

/**
 * The verdict when a failed run's every answered model call got the same kind of error (at least one call);
 * undefined otherwise (no answered call, as in a hang, or mixed answers). Calls the server never answered (the CLI
 * was killed while waiting) say nothing about the kind, so they are left out. When the server's window no longer
 * holds the earliest requests, the verdict is about the latest ones and says so.
 */
export function upstreamVerdict(log: ModelCalls, record: RunRecord, timeoutMs: number): Verdict | undefined {
  const how = record.timedOut
    ? `the CLI kept retrying until the ${formatMs(timeoutMs)} timeout`
    : `the CLI exited with ${record.exitCode ?? `signal ${record.signal}`}`;
  return upstreamVerdictOf(log, how);
}

/** The same rule for anything that made model calls (a run, a pair smoke's batch); `how` ends the message. */
export function upstreamVerdictOf(log: ModelCalls, how: string): Verdict | undefined {
  const calls = log.calls.filter((c) => c.status !== null);
  if (calls.length === 0) return undefined;
  const kind = KINDS.find((k) => calls.every(k.test));
  if (!kind) return undefined;
  const statuses = [...new Set(calls.map((c) => c.status))].join("/");
  return {
    outcome: kind.outcome,
    reason: kind.reason,
    rule: `upstream.${kind.reason}`,
    message: `${kind.outcome === "SKIP" ? `not set up here (${kind.reason}): ` : ""}the model server answered ${kind.what}${answeredWhat(calls.length, log.omitted)}; ${how}`,
    evidence: `model server log: ${calls.length} × HTTP ${statuses}${log.omitted > 0 ? ` (${log.omitted} earlier requests no longer kept)` : ""}`,
    hint: kind.hint,
  };
}

function answeredWhat(answered: number, omitted: number): string {
  if (omitted > 0) return ` to each of the latest ${answered} model calls it keeps (${omitted} earlier requests are no longer kept)`;
  return answered === 1 ? " to its only model call" : ` to all ${answered} model calls`;
}

/** One line on what the model server did during a run, for the evidence of a timeout: `2 model calls, 0 answered`. */
export function upstreamSummary(log: ModelCalls): string {
  const { calls, omitted } = log;
  const answered = calls.filter((c) => c.status !== null).length;
  return `model server log: ${calls.length} model call${calls.length === 1 ? "" : "s"}, ${answered} answered${omitted > 0 ? ` (and ${omitted} earlier requests no longer kept)` : ""}`;
}
