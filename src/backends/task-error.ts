// How an agent reports a task that did not pass, in the `error` of its ack: `OUTCOME reason: message`, then the
// evidence and the next step on lines of their own. People read it in `mittelo status` and the dashboard (first line);
// the pair smoke reads it back to tell a task that was not set up here (SKIP) from a real failure. Pure.
import type { Outcome, Verdict } from "./verdict.ts";

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ⏎ ");

export function taskError(verdict: Verdict): string {
  const lines = [`${verdict.outcome} ${verdict.reason}: ${oneLine(verdict.message)}`];
  if (verdict.evidence) lines.push(`evidence: ${oneLine(verdict.evidence)}`);
  if (verdict.hint) lines.push(`next step: ${oneLine(verdict.hint)}`);
  return lines.join("\n");
}

/** The verdict in an ack's error, or undefined when the error was not written by taskError (another client's text). */
export function parseTaskError(error: unknown): Pick<Verdict, "outcome" | "reason" | "message" | "evidence" | "hint"> | undefined {
  if (typeof error !== "string") return undefined;
  const [first = "", ...rest] = error.split("\n");
  const match = /^(PASS|FAIL|SKIP|ERROR) ([\w.-]+): (.*)$/.exec(first);
  if (!match) return undefined;
  const field = (name: string) => rest.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
  const evidence = field("evidence");
  const hint = field("next step");
  return {
    outcome: match[1] as Outcome,
    reason: match[2] as string,
    message: match[3] as string,
    ...(evidence ? { evidence } : {}),
    ...(hint ? { hint } : {}),
  };
}
