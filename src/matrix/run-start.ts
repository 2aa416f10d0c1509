// The first event of a run: what it runs (the plan, this run's shard of it), where (the machine's label and
// environment) and by which mittelo; everything a merge checks before it combines streams.
import { randomUUID } from "node:crypto";
import type { Partition, Shard } from "../manifest/partition.ts";
import type { Plan, PlannedBackend, PlannedPair } from "../manifest/plan-types.ts";
import { EVENTS_FORMAT, type RunStartEvent } from "../report/events.ts";
import { version } from "../util/version.ts";

export interface RunStartFacts {
  label: string;
  planHash: string;
  shard: { partition: Partition; shard: Shard } | undefined;
  /** The backends this run runs, with how many of their cells. */
  backends: Array<{ backend: PlannedBackend; cells: number }>;
  pairs: PlannedPair[];
  /** Cells of the whole plan. */
  cells: number;
  ci: boolean;
  loopback: boolean | undefined;
  outDir: string;
  command: string[];
}

export function runStartEvent(plan: Plan, facts: RunStartFacts): RunStartEvent {
  const { shard } = facts;
  return {
    type: "run-start",
    ts: new Date().toISOString(),
    format: EVENTS_FORMAT,
    runId: randomUUID(),
    tool: { name: "mittelo", version: version() },
    manifest: { path: plan.manifestFile, sha256: plan.manifestHash },
    profile: plan.profile ?? null,
    label: facts.label,
    env: {
      node: process.version,
      os: process.platform,
      arch: process.arch,
      ci: facts.ci,
      ...(facts.loopback !== undefined && { loopback: facts.loopback }),
    },
    outDir: facts.outDir,
    command: facts.command,
    settings: { concurrency: plan.settings.concurrency, stub: plan.settings.stub, runOnWarn: plan.settings.runOnWarn },
    plan: { hash: facts.planHash, repeat: plan.repeat, cells: facts.cells, backends: plan.backends.map((b) => b.name), pairs: plan.pairs.map((p) => p.name) },
    shard: shard
      ? {
          index: shard.shard.index,
          total: shard.partition.total,
          by: shard.partition.by,
          basis: shard.partition.basis,
          partition: shard.partition.id,
          cells: shard.shard.cells.map((c) => c.id),
        }
      : null,
    backends: facts.backends.map(({ backend: b, cells }) => {
      const rates = b.cases.flatMap((c) => (c.minPassRate === undefined ? [] : [[c.name, c.minPassRate] as const]));
      return {
        name: b.name,
        source: b.source,
        expected: b.expected,
        cases: b.cases.map((c) => c.name),
        description: b.description,
        cells,
        ...(b.line !== undefined && { line: b.line }),
        ...(rates.length && { minPassRate: Object.fromEntries(rates) }),
      };
    }),
    excluded: plan.excluded,
    pairs: facts.pairs.map((p) => ({ name: p.name, a: p.a, b: p.b, expected: p.expected, ...(p.line !== undefined && { line: p.line }) })),
  };
}
