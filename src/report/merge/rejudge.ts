// Step 4 of a merge: what the merge judges itself, from the whole plan, as a single run would: each backend's end on
// each machine (from the merged cases), each pair's gate on the merged outcomes, and the run's end (counts, mismatches,
// exit code; it ends with the last stream's end). Pure.
import { outcomeMatches, pairGate, type Result } from "../../backends/outcome.ts";
import type { BackendEndEvent, MatrixEvent, PairEndEvent, RunEndEvent, RunStartEvent } from "../events.ts";
import { foldEvents, type ReportModel, summarize } from "../model.ts";
import type { EventStream } from "../read.ts";
import { shardName } from "./refuse.ts";

/** The events that end a merged stream: backend-ends, pair-ends, then run-end. */
export function rejudge(start: RunStartEvent, body: readonly MatrixEvent[], used: readonly EventStream[], now: string): MatrixEvent[] {
  const model = foldEvents([start, ...body]);
  const ends = backendEnds(model, now);
  const pairs = pairEnds(model, used);
  const judged: MatrixEvent[] = [start, ...body, ...ends, ...pairs];
  return [...ends, ...pairs, runEnd(judged, used, now)];
}

/** One backend-end per backend and machine, from the merged cases. */
export function backendEnds(model: ReportModel, now: string): BackendEndEvent[] {
  return model.backends.flatMap((b) =>
    b.machines.map((m) => ({ type: "backend-end", ts: now, backend: b.name, outcome: m.outcome, expected: b.expected, matches: m.matches, label: m.label })),
  );
}

/** Every pair a shard ran, machine by machine in plan order, judged again on that machine's merged outcomes. */
export function pairEnds(model: ReportModel, used: readonly EventStream[]): PairEndEvent[] {
  const pairs: PairEndEvent[] = [];
  for (const label of model.labels) {
    const outcomes = new Map<string, Result>(
      model.backends.flatMap((b) => b.machines.filter((m) => m.label === label).map((m): [string, Result] => [b.name, m.outcome])),
    );
    const ran = used
      .filter((s) => s.start.label === label)
      .flatMap((s) => s.events.filter((e): e is PairEndEvent => e.type === "pair-end").map((e) => ({ e, shard: s.start })));
    for (const name of model.start.plan.pairs) {
      const found = ran.find((r) => r.e.pair === name);
      if (found) pairs.push({ ...regate(found.e, found.shard, outcomes), label });
    }
  }
  return pairs;
}

/** The run's end: the verdict of everything judged, at the last stream's end (or now). */
export function runEnd(judged: readonly MatrixEvent[], used: readonly EventStream[], now: string): RunEndEvent {
  const { counts, mismatches, exitCode } = summarize(foldEvents(judged));
  const start = judged[0] as RunStartEvent;
  const ended = used.flatMap((s) => s.events.filter((e): e is RunEndEvent => e.type === "run-end").map((e) => e.ts)).sort();
  const lastEnd = ended.at(-1) ?? now;
  return { type: "run-end", ts: lastEnd, durationMs: Math.max(0, Date.parse(lastEnd) - Date.parse(start.ts)), exitCode, counts, mismatches };
}

/**
 * A pair's verdict as a single run would give it: the single-run gate on the merged outcomes. A pair a shard ran but
 * the whole plan would have gated becomes that SKIP; a pair a shard gated although both backends passed overall (its
 * machine saw them differently) says so.
 */
export function regate(e: PairEndEvent, shard: RunStartEvent, outcomes: ReadonlyMap<string, Result>): PairEndEvent {
  const gate = pairGate(e, outcomes);
  if (gate) {
    if (e.verdict.rule === gate.rule && e.verdict.message === gate.message) return e;
    const { artifacts: _dropped, ...rest } = e;
    return { ...rest, verdict: gate, matches: outcomeMatches(e.expected, gate.outcome), durationMs: 0, details: {} };
  }
  if (e.verdict.rule !== "pair.backends-passed") return e;
  const verdict = {
    outcome: "SKIP" as const,
    reason: "not-run-on-shard",
    rule: "merge.pair-gated-on-shard",
    message: `not run: on shard ${shardName(shard)} of ${shard.label} the gate saw ${e.verdict.message}, although ${e.a} and ${e.b} passed over the whole plan`,
    evidence: e.verdict.evidence,
    hint: "run the shards on alike machines, or keep the pair's backends on one shard (the default --shard-by backend does)",
  };
  return { ...e, verdict, matches: outcomeMatches(e.expected, verdict.outcome) };
}
