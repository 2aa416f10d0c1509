// How an agent reports a task that did not pass, in the `error` of its ack: `OUTCOME reason: message`, then the next
// step on a line of its own. People read it in `mittelo status` and the dashboard; the pair smoke reads it back to
// tell a task that was not set up here (SKIP) from a real failure. Pure.
import type { Outcome, Verdict } from "./verdict.ts";

export function taskError(verdict: Verdict): string {
  return `${verdict.outcome} ${verdict.reason}: ${verdict.message}${verdict.hint ? `\nnext step: ${verdict.hint}` : ""}`;
}

/** The verdict in an ack's error, or undefined when the error was not written by taskError (another client's text). */
export function parseTaskError(error: unknown): Pick<Verdict, "outcome" | "reason" | "message" | "hint"> | undefined {
  if (typeof error !== "string") return undefined;
  const match = /^(PASS|FAIL|SKIP|ERROR) ([\w.-]+): ([^\n]*)(?:\nnext step: ([^\n]*))?/.exec(error);
  if (!match) return undefined;
  return { outcome: match[1] as Outcome, reason: match[2] as string, message: match[3] as string, ...(match[4] ? { hint: match[4] } : {}) };
}
