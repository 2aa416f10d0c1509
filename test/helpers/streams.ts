// Hand-made event streams of one small plan, for the pure tests of merging (test/report/merge.test.ts): a run is
// described by what it ran (backends, cases, outcomes, pairs) and the builder writes the events a real run would, so a
// test states only what its rule is about. Every event built here validates against schemas/events.schema.json.
import type { Outcome, Verdict } from "../../src/backends/verdict.ts";
import { EVENTS_FORMAT, type MatrixEvent, type PairEndEvent, type RunStartEvent } from "../../src/report/events.ts";
import type { EventStream } from "../../src/report/read.ts";

/** The plan: three backends of two cases each (expected pass, pass, fail) and two pairs. */
export const PLAN = {
  backends: { a: "pass", b: "pass", c: "fail" } as Record<string, "pass" | "fail">,
  cases: ["one", "two"],
  pairs: { "a-b": ["a", "b"], "a-c": ["a", "c"] } as Record<string, [string, string]>,
};
export const MANIFEST_SHA = "a".repeat(64);
export const PLAN_HASH = "b".repeat(64);

export interface RunSpec {
  /** The machine. */
  label?: string;
  runId?: string;
  /** When the run started; its events follow a second apart. */
  ts?: string;
  shard?: { index: number; total: number; by?: "backend" | "cell"; partition?: string } | null;
  /** What each cell came out as, by cell id (`a/one#1`); the backends of those cells are the ones this run ran. */
  cells: Record<string, Outcome>;
  /** Pairs this run ran, with the verdict it gave them. */
  pairs?: Record<string, Verdict>;
  /** Backends a shard preflighted only to gate a pair. */
  gateOnly?: string[];
  /** false: no run-end (an interrupted run). */
  finished?: boolean;
  manifestSha?: string;
  planHash?: string;
  repeat?: number;
  merged?: RunStartEvent["merged"];
}

export const verdictOf = (outcome: Outcome, over: Partial<Verdict> = {}): Verdict => ({
  outcome,
  reason: outcome === "PASS" ? "ok" : outcome === "SKIP" ? "auth" : "exit-code",
  rule: outcome === "PASS" ? "all-checks" : outcome === "SKIP" ? "setup-failure[0]" : "exit-code",
  message: outcome === "PASS" ? "every check passed" : `came out ${outcome}`,
  ...over,
});

/** The gate's verdict when `blocked` did not pass (what a run writes for a gated pair). */
export const gated = (blocked: string, seen: string): Verdict => ({
  outcome: "SKIP",
  reason: "backend-not-passed",
  rule: "pair.backends-passed",
  message: `backend ${blocked} did not pass: ${seen}`,
  evidence: `matrix outcome of ${blocked}: ${seen}`,
  hint: `make ${blocked} pass in the matrix first (mittelo system-test --backend ${blocked})`,
});

/** Every cell of the plan with the outcome `outcomes` gives its backend (PASS when not named). */
export function allCells(outcomes: Record<string, Outcome> = {}, repeat = 1): Record<string, Outcome> {
  const cells: Record<string, Outcome> = {};
  for (const b of Object.keys(PLAN.backends)) for (const c of PLAN.cases) for (let r = 1; r <= repeat; r++) cells[`${b}/${c}#${r}`] = outcomes[b] ?? "PASS";
  return cells;
}

/** Only those of `cells` whose backend is one of `backends`. */
export const cellsOf = (cells: Record<string, Outcome>, ...backends: string[]) =>
  Object.fromEntries(Object.entries(cells).filter(([id]) => backends.includes(id.split("/")[0] as string)));

export function stream(file: string, spec: RunSpec): EventStream {
  const label = spec.label ?? "linux-x64";
  const base = Date.parse(spec.ts ?? "2026-01-01T00:00:00.000Z");
  let tick = 0;
  const ts = () => new Date(base + 1000 * tick++).toISOString();
  const repeat = spec.repeat ?? 1;
  const ran = [...new Set(Object.keys(spec.cells).map((id) => id.split("/")[0] as string))];
  const pairNames = Object.keys(spec.pairs ?? {});
  const start: RunStartEvent = {
    type: "run-start",
    ts: ts(),
    format: EVENTS_FORMAT,
    runId: spec.runId ?? file,
    tool: { name: "mittelo", version: "0.1.0" },
    manifest: { path: "matrix.yaml", sha256: spec.manifestSha ?? MANIFEST_SHA },
    profile: null,
    label,
    env: { node: "v20.0.0", os: "linux", arch: "x64", ci: false, loopback: true },
    outDir: `/reports/${file}`,
    command: ["mittelo", "matrix"],
    settings: { concurrency: 4, stub: false, runOnWarn: false },
    plan: {
      hash: spec.planHash ?? PLAN_HASH,
      repeat,
      cells: Object.keys(PLAN.backends).length * PLAN.cases.length * repeat,
      backends: Object.keys(PLAN.backends),
      pairs: Object.keys(PLAN.pairs),
    },
    shard: spec.shard
      ? {
          index: spec.shard.index,
          total: spec.shard.total,
          by: spec.shard.by ?? "backend",
          basis: "count",
          partition: spec.shard.partition ?? "split-1",
          cells: Object.keys(spec.cells),
        }
      : null,
    backends: ran.map((name) => ({
      name,
      source: "manifest",
      expected: PLAN.backends[name] ?? "pass",
      cases: PLAN.cases,
      description: `backend ${name}`,
      cells: Object.keys(spec.cells).filter((id) => id.startsWith(`${name}/`)).length,
    })),
    excluded: [],
    pairs: pairNames.map((name) => {
      const [a, b] = PLAN.pairs[name] ?? ["a", "b"];
      return { name, a, b, expected: "pass" };
    }),
    ...(spec.merged && { merged: spec.merged }),
  };
  const events: MatrixEvent[] = [start];
  for (const backend of [...ran, ...(spec.gateOnly ?? [])]) {
    events.push({
      type: "preflight",
      ts: ts(),
      backend,
      result: { backend, status: "ok", findings: [], durationMs: 5 },
      decision: "run",
      ...(spec.gateOnly?.includes(backend) && { gateOnly: true }),
    });
  }
  for (const [cell, outcome] of Object.entries(spec.cells)) {
    const [backend, rest] = cell.split("/") as [string, string];
    const [name, repetition] = rest.split("#") as [string, string];
    const at = { backend, case: name, cell, repetition: Number(repetition) };
    events.push({ type: "case-start", ts: ts(), ...at });
    events.push({ type: "case-end", ts: ts(), ...at, verdict: verdictOf(outcome), checks: [] });
  }
  for (const backend of ran) {
    const outcomes = Object.entries(spec.cells)
      .filter(([id]) => id.startsWith(`${backend}/`))
      .map(([, o]) => o);
    const outcome = outcomes.find((o) => o !== "PASS") ?? "PASS";
    const expected = PLAN.backends[backend] ?? "pass";
    events.push({ type: "backend-end", ts: ts(), backend, outcome, expected, matches: outcome === expected.toUpperCase() });
  }
  for (const [name, verdict] of Object.entries(spec.pairs ?? {})) {
    const [a, b] = PLAN.pairs[name] ?? ["a", "b"];
    const pair: PairEndEvent = {
      type: "pair-end",
      ts: ts(),
      pair: name,
      a,
      b,
      verdict,
      expected: "pass",
      matches: verdict.outcome === "PASS",
      durationMs: verdict.rule === "pair.backends-passed" ? 0 : 1500,
      details: verdict.rule === "pair.backends-passed" ? {} : { tasks: 2 },
      ...(verdict.rule !== "pair.backends-passed" && { artifacts: `/reports/${file}/pairs/${name}` }),
    };
    events.push(pair);
  }
  if (spec.finished !== false)
    events.push({ type: "run-end", ts: ts(), durationMs: 1000 * tick, exitCode: 0, counts: { PASS: 0, FAIL: 0, SKIP: 0, ERROR: 0, FLAKY: 0 }, mismatches: [] });
  return { file, events, start };
}
