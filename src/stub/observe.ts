// What a model stub answered, for the classifier: the model calls since a mark (a live stub), or all of them (a request
// log file written by another process, as the pair smoke reads its agents' stubs).
import { readFileSync } from "node:fs";
import type { StubServer } from "./server.ts";
import type { RequestRecord } from "./types.ts";

/** One model call: its HTTP status (null: never answered) and the stub's mode. Same shape as the classifier's ModelCall. */
export interface StubCall {
  status: number | null;
  mode: string;
}

/** A model call: a POST to a dialect's route (not the `HEAD /` probe, the WebSocket upgrade, an unknown route or an oversized body). */
export function isModelCall(r: Pick<RequestRecord, "method" | "dialect" | "note">): boolean {
  return r.method === "POST" && r.dialect !== null && (r.note === undefined || r.note === "aborted");
}

export function modelCalls(records: readonly RequestRecord[]): StubCall[] {
  return records.filter(isModelCall).map((r) => ({ status: r.status, mode: r.mode }));
}

/** Where a run starts in the stub's records: requests answered (or abandoned) so far, and requests arrived so far. */
export interface StubMark {
  logged: number;
  arrived: number;
}

/**
 * Marks before a run and returns the model calls the stub got since (the classifier's UpstreamObserver): those it
 * answered or that were abandoned, then those still open. A request is logged when its connection closes, which for a
 * CLI killed at its timeout may come after the run's end is seen: such a call is still open, and counted.
 */
export function observeStub(stub: Pick<StubServer, "requestCount" | "requestsSince" | "arrivals" | "openSince">): {
  mark(): StubMark;
  since(mark: unknown): { calls: StubCall[]; omitted: number };
} {
  return {
    mark: () => ({ logged: stub.requestCount(), arrived: stub.arrivals() }),
    since: (mark) => {
      const { logged, arrived } = mark as StubMark;
      const { records, omitted } = stub.requestsSince(logged);
      return { calls: modelCalls([...records, ...stub.openSince(arrived)]), omitted };
    },
  };
}

/** The model calls in a request log file (`--log`); a missing file or a torn last line counts as no call. */
export function modelCallsInLog(file: string): StubCall[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const records: RequestRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as RequestRecord);
    } catch {
      // a line being written when the process was killed
    }
  }
  return modelCalls(records);
}
