// Merge by replay: several event streams of one plan (the shards of a split, and/or runs on differently labelled
// machines) → one stream that folds into one report, rendered by the same renderers as a single run. Pure.
//
// Refused (MitteloError, exit 2), naming the problem: streams of different manifests or plans, a merged stream as
// input, the same run given twice, a missing shard ("shard 2/3 missing"), shards of different splits, a run that did
// not finish. A shard run more than once: the latest attempt wins, and the report says so.
import { outcomeMatches, pairGate, type Result } from "../backends/outcome.ts";
import { MitteloError } from "../util/errors.ts";
import type { BackendEndEvent, MatrixEvent, MergeInfo, PairEndEvent, RunEndEvent, RunStartEvent } from "./events.ts";
import { foldEvents, summarize } from "./model.ts";
import type { EventStream } from "./read.ts";

export interface MergeContext {
  outDir: string;
  command: string[];
  runId: string;
  /** When the merge happened (ISO), for the events it writes itself. */
  now: string;
  /** How a stream's file is shown in messages and in the report. */
  show?: (file: string) => string;
}

const shardName = (s: RunStartEvent) => (s.shard ? `${s.shard.index}/${s.shard.total}` : "whole plan");
const refuse = (message: string, hint: string) => new MitteloError("merge-refused", message, { hint });

export function mergeStreams(streams: readonly EventStream[], context: MergeContext): MatrixEvent[] {
  const show = context.show ?? ((f: string) => f);
  if (!streams.length) throw refuse("nothing to merge", "pass the report folders of the shards or machines");
  const first = streams[0] as EventStream;

  for (const s of streams) {
    if (s.start.merged)
      throw refuse(`${show(s.file)} is already a merged report`, "merge the report folders of the runs themselves (each shard's and machine's own)");
  }
  const byRun = new Map<string, EventStream>();
  for (const s of streams) {
    const seen = byRun.get(s.start.runId);
    if (seen)
      throw refuse(
        `the same run was given twice: ${show(seen.file)} and ${show(s.file)} (${s.start.label}, ${shardName(s.start)})`,
        "pass each shard's report folder once",
      );
    byRun.set(s.start.runId, s);
  }
  for (const s of streams) {
    if (s.start.manifest.sha256 !== first.start.manifest.sha256)
      throw refuse(
        `different manifests: ${show(first.file)} ran ${first.start.manifest.sha256.slice(0, 12)}, ${show(s.file)} ran ${s.start.manifest.sha256.slice(0, 12)}`,
        "merge only runs of the same matrix.yaml (the same commit); re-run the others",
      );
    if (s.start.plan.hash !== first.start.plan.hash)
      throw refuse(
        `different plans of one manifest: ${show(first.file)} is ${describePlan(first.start)}, ${show(s.file)} is ${describePlan(s.start)}`,
        "run every shard and machine with the same plan flags (--profile, --include, --exclude, --repeat, --prompt, --timeout, --stub, --run-on-warn)",
      );
  }

  // Per machine: one complete split, the latest attempt of each shard.
  const labels = [...new Set(streams.map((s) => s.start.label))].sort();
  const used: EventStream[] = [];
  const notes: string[] = [];
  const streamInfo: MergeInfo["streams"] = [];
  const machines: MergeInfo["machines"] = [];
  for (const label of labels) {
    const mine = streams.filter((s) => s.start.label === label);
    const totals = [...new Set(mine.map((s) => s.start.shard?.total ?? 1))];
    if (totals.length > 1)
      throw refuse(
        `${label}: runs of different splits: ${mine.map((s) => `${show(s.file)} is ${shardName(s.start)}`).join(", ")}`,
        "merge the shards of one split (the same --shard i/n total) per machine label; give other runs their own --label",
      );
    const total = totals[0] as number;
    const splits = [...new Set(mine.map((s) => s.start.shard?.partition ?? "whole"))];
    if (splits.length > 1)
      throw refuse(
        `${label}: the shards were split differently (${mine.map((s) => `${shardName(s.start)} by ${s.start.shard?.by}, ${s.start.shard?.basis}`).join("; ")})`,
        "run every shard with the same --shard-by and the same --timings file",
      );
    const missing: string[] = [];
    for (let index = 1; index <= total; index++) {
      const attempts = mine
        .filter((s) => (s.start.shard?.index ?? 1) === index)
        .sort((a, b) => (a.start.ts < b.start.ts ? -1 : a.start.ts > b.start.ts ? 1 : a.start.runId < b.start.runId ? -1 : 1));
      const latest = attempts.at(-1);
      if (!latest) {
        missing.push(`${index}/${total}`);
        continue;
      }
      const where = total > 1 ? `shard ${index}/${total} of ${label}` : label;
      if (attempts.length > 1)
        notes.push(
          `${where} ran ${attempts.length} times: the latest (${latest.start.ts}, ${show(latest.file)}) is used; ignored ${attempts
            .slice(0, -1)
            .map((a) => `${a.start.ts} (${show(a.file)})`)
            .join(", ")}`,
        );
      if (!latest.events.some((e) => e.type === "run-end"))
        throw refuse(`${where}: the run in ${show(latest.file)} did not finish (no run-end event)`, "run that shard again, then merge");
      used.push(latest);
      for (const a of attempts)
        streamInfo.push({
          source: show(a.file),
          label,
          shard: shardName(a.start),
          runId: a.start.runId,
          startedAt: a.start.ts,
          used: a === latest,
          ...(a !== latest && { note: "an older attempt of this shard" }),
        });
    }
    if (missing.length)
      throw refuse(
        `${missing.map((m) => `shard ${m}`).join(", ")} missing${labels.length > 1 ? ` (${label})` : ""}: got ${mine.map((s) => shardName(s.start)).join(", ")}`,
        "download every shard's report folder before merging (a failed shard job still uploads its reports with `if: always()`)",
      );
    checkCoverage(
      label,
      used.filter((s) => s.start.label === label),
      first.start.plan.cells,
      show,
    );
    const lead = used.find((s) => s.start.label === label) as EventStream;
    machines.push({ label, env: lead.start.env, shards: total });
  }

  // The merged stream: one run-start, every shard's events with their machine's label, then what the merge judges
  // itself from the whole plan: each backend's end, the pairs' gate, the run's end.
  const lead = used[0] as EventStream;
  const byName = new Map(used.flatMap((s) => s.start.backends.map((b) => [b.name, b])));
  const pairByName = new Map(used.flatMap((s) => s.start.pairs.map((p) => [p.name, p])));
  const start: RunStartEvent = {
    ...lead.start,
    ts: used.map((s) => s.start.ts).sort()[0] as string,
    runId: context.runId,
    outDir: context.outDir,
    command: context.command,
    label: labels[0] as string,
    shard: null,
    backends: lead.start.plan.backends.flatMap((name) => {
      const b = byName.get(name);
      return b ? [{ ...b, cells: b.cases.length * lead.start.plan.repeat }] : [];
    }),
    pairs: lead.start.plan.pairs.flatMap((name) => {
      const p = pairByName.get(name);
      return p ? [p] : [];
    }),
    merged: { streams: streamInfo, machines, notes },
  };
  const body: MatrixEvent[] = [];
  const preflights = new Set<string>();
  for (const s of used) {
    for (const e of s.events) {
      if (e.type === "run-start" || e.type === "run-end" || e.type === "backend-end" || e.type === "pair-end") continue;
      if (e.type === "preflight") {
        const key = `${s.start.label}\u0000${e.backend}`;
        if (e.gateOnly || preflights.has(key)) continue;
        preflights.add(key);
      }
      body.push({ ...e, label: s.start.label } as MatrixEvent);
    }
  }
  const model = foldEvents([start, ...body]);
  const ends: BackendEndEvent[] = model.backends.flatMap((b) =>
    b.machines.map((m) => ({
      type: "backend-end",
      ts: context.now,
      backend: b.name,
      outcome: m.outcome,
      expected: b.expected,
      matches: m.matches,
      label: m.label,
    })),
  );
  const pairs: PairEndEvent[] = [];
  for (const label of labels) {
    const outcomes = new Map<string, Result>(
      model.backends.flatMap((b) => b.machines.filter((m) => m.label === label).map((m): [string, Result] => [b.name, m.outcome])),
    );
    const ran = used
      .filter((s) => s.start.label === label)
      .flatMap((s) => s.events.filter((e): e is PairEndEvent => e.type === "pair-end").map((e) => ({ e, shard: s.start })));
    for (const name of lead.start.plan.pairs) {
      const found = ran.find((r) => r.e.pair === name);
      if (found) pairs.push({ ...regate(found.e, found.shard, outcomes), label });
    }
  }
  const all: MatrixEvent[] = [start, ...body, ...ends, ...pairs];
  const { counts, mismatches, exitCode } = summarize(foldEvents(all));
  const ended = used.flatMap((s) => s.events.filter((e): e is RunEndEvent => e.type === "run-end").map((e) => e.ts)).sort();
  const lastEnd = ended.at(-1) ?? context.now;
  const end: RunEndEvent = { type: "run-end", ts: lastEnd, durationMs: Math.max(0, Date.parse(lastEnd) - Date.parse(start.ts)), exitCode, counts, mismatches };
  return [...all, end];
}

function describePlan(s: RunStartEvent): string {
  return `plan ${s.plan.hash.slice(0, 12)} (profile ${s.profile ?? "(none)"}, ${s.plan.backends.length} backends, ${s.plan.cells} cells, repeat ${s.plan.repeat})`;
}

/** Every cell of the plan exactly once over the shards of one machine. */
function checkCoverage(label: string, shards: readonly EventStream[], planCells: number, show: (f: string) => string): void {
  const owner = new Map<string, EventStream>();
  for (const s of shards) {
    for (const e of s.events) {
      if (e.type !== "case-end") continue;
      const other = owner.get(e.cell);
      if (other && other !== s)
        throw refuse(`${label}: cell ${e.cell} ran in both ${show(other.file)} and ${show(s.file)}`, "the shards do not belong to one split: run them again");
      owner.set(e.cell, s);
    }
  }
  if (owner.size !== planCells)
    throw refuse(
      `${label}: the shards hold ${owner.size} of the plan's ${planCells} cells`,
      "a shard did not run all its cells (an interrupted run?): run the shards again",
    );
}

/**
 * A pair's verdict as a single run would give it: the single-run gate on the merged outcomes. A pair a shard ran but
 * the whole plan would have gated becomes that SKIP; a pair a shard gated although both backends passed overall (its
 * machine saw them differently) says so.
 */
function regate(e: PairEndEvent, shard: RunStartEvent, outcomes: ReadonlyMap<string, Result>): PairEndEvent {
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
