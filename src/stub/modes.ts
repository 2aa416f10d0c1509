// Failure modes: what each simulates and how the stub answers a model call in it.
import { MitteloError } from "../util/errors.ts";
import { MODES, type StubMode } from "./types.ts";

export const MODE_DESCRIPTIONS: Record<StubMode, string> = {
  ok: "answer normally",
  "401": "HTTP 401 with the dialect's authentication error body (bad or missing key → classify as auth)",
  "429": "HTTP 429 with the dialect's quota/rate-limit error body (classify as quota)",
  "500": "HTTP 500 with the dialect's server error body (classify as server error)",
  slow: "wait `slowMs` (default 2 s) before the first byte, then answer normally",
  hang: "accept the request and never answer (the client must time out; close() still completes)",
  garbage: "HTTP 200 with a body that is not valid SSE/JSON (classify as protocol error)",
};

/** The HTTP status an error mode answers with, or undefined for the modes that are not plain errors. */
export function errorStatus(mode: StubMode): number | undefined {
  if (mode === "401") return 401;
  if (mode === "429") return 429;
  if (mode === "500") return 500;
  return undefined;
}

export function errorMessage(status: number): string {
  if (status === 401) return "mittelo stub: invalid API key (simulated 401)";
  if (status === 429) return "mittelo stub: quota exceeded (simulated 429)";
  if (status === 413) return "mittelo stub: request body too large";
  return "mittelo stub: internal server error (simulated 500)";
}

/** Bytes that are neither valid SSE events nor JSON. */
export function garbageBody(stream: boolean): string {
  return stream ? "event: message_start\ndata: {this is not json\n\n\u0000\u00ff<<garbage>>\n" : "{this is not json <<garbage>>";
}

export function parseMode(value: string): StubMode {
  if ((MODES as readonly string[]).includes(value)) return value as StubMode;
  throw new MitteloError("stub-mode", `unknown stub mode "${value}"`, { hint: `use one of: ${MODES.join(", ")}` });
}
