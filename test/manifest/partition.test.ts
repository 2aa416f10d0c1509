// The partition of a plan's cells into shards, as properties over many generated plans: deterministic, every cell in
// exactly one shard, no empty shard while there are at least n cells, a backend's cells together unless --shard-by
// cell (or unless that would leave a shard empty), every pair on exactly one shard with both its backends when they
// are not split; and a split by timings beats a split by count on skewed durations.
import t from "tap";
import { cellId, planCells, planHash } from "../../src/manifest/cells.ts";
import { type MachineTimings, partitionPlan, predictMs, parseShard, type Timings } from "../../src/manifest/partition.ts";
import type { Plan, PlannedBackend, PlannedPair } from "../../src/manifest/plan-types.ts";

/** A small deterministic PRNG (mulberry32), so every run checks the same plans. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function backend(name: string, cases: string[]): PlannedBackend {
  return {
    name,
    source: "manifest",
    description: "",
    invocation: { kind: "wrapper", path: `/x/${name}/run`, prompt: "stdin" },
    requires: {},
    model: { env: "X", default: "" },
    env: {},
    passEnv: [],
    output: { extract: "text", clean: true, bannerPatterns: [] },
    failures: [],
    cases: cases.map((c) => ({ name: c, prompt: "p", timeoutMs: 1000, expect: { exit_code: 0 } })),
    expected: "pass",
    timeoutMs: 1000,
    concurrency: 1,
  };
}

function plan(backends: PlannedBackend[], pairs: PlannedPair[] = [], repeat = 1): Plan {
  return {
    manifestFile: "/x/matrix.yaml",
    manifestDir: "/x",
    manifestHash: "0".repeat(64),
    profile: undefined,
    settings: {
      concurrency: 4,
      killGraceMs: 1,
      probeTimeoutMs: 1,
      gateIdleMs: 1,
      outputCapBytes: 1,
      sandbox: { home: true, workdir: true, copyAuth: true },
      redactEnv: [],
      crashPatterns: [],
      gatePatterns: [],
      runOnWarn: false,
      stub: false,
    },
    backends,
    excluded: [],
    pairs,
    repeat,
  };
}

const pair = (name: string, a: string, b: string): PlannedPair => ({ name, a, b, tasks: 2, timeoutMs: 1000, chaos: false, expected: "pass" });

function randomPlan(rand: () => number): Plan {
  const names = Array.from({ length: 1 + Math.floor(rand() * 9) }, (_, i) => `b${String.fromCharCode(97 + i)}${Math.floor(rand() * 100)}`);
  const backends = names.map((n) =>
    backend(
      n,
      Array.from({ length: Math.floor(rand() * 4) }, (_, i) => `case${i}`),
    ),
  );
  const pairs = Array.from({ length: Math.floor(rand() * 3) }, (_, i) => {
    const a = names[Math.floor(rand() * names.length)] as string;
    const b = names[Math.floor(rand() * names.length)] as string;
    return pair(`p${i}`, a, b);
  });
  return plan(
    backends.sort((x, y) => x.name.localeCompare(y.name)),
    pairs,
    1 + Math.floor(rand() * 3),
  );
}

/** Backends joined by pairs (connected components), counting those with cells: computed here independently. */
function groupsWithCells(p: Plan): number {
  const group = new Map(p.backends.map((b) => [b.name, new Set([b.name])]));
  for (const q of p.pairs) {
    const a = group.get(q.a);
    const b = group.get(q.b);
    if (!a || !b || a === b) continue;
    for (const name of b) {
      a.add(name);
      group.set(name, a);
    }
  }
  return [...new Set(group.values())].filter((g) => [...g].some((name) => p.backends.find((b) => b.name === name)?.cases.length)).length;
}

function randomTimings(p: Plan, rand: () => number): Timings {
  const t: MachineTimings = { cases: {}, preflight: {}, pairs: {} };
  for (const b of p.backends) {
    t.preflight[b.name] = Math.floor(rand() * 50);
    for (const c of b.cases) if (rand() < 0.8) t.cases[`${b.name}/${c.name}`] = Math.floor(rand() * 5000);
  }
  for (const q of p.pairs) t.pairs[q.name] = Math.floor(rand() * 3000);
  return { schema: "mittelo-timings/1", generatedAt: "2026-01-01T00:00:00.000Z", plan: "x", machines: { "linux-x64": t } };
}

t.test("cell ids are built from names; the plan hash ignores paths and concurrency but not the selection or --repeat", async (t) => {
  const p = plan([backend("codex", ["smoke", "json"]), backend("echo", ["smoke"])], [], 2);
  t.same(
    planCells(p).map((c) => c.id),
    ["codex/smoke#1", "codex/smoke#2", "codex/json#1", "codex/json#2", "echo/smoke#1", "echo/smoke#2"],
  );
  t.equal(cellId("echo", "smoke", 3), "echo/smoke#3");
  const hash = planHash(p);
  const elsewhere = { ...p, manifestFile: "/home/runner/work/m/matrix.yaml", manifestDir: "/home/runner/work/m", settings: { ...p.settings, concurrency: 16 } };
  t.equal(planHash(elsewhere), hash, "another checkout path and concurrency: the same plan");
  t.not(planHash({ ...p, repeat: 3 }), hash, "--repeat changes the plan");
  t.not(planHash({ ...p, backends: p.backends.slice(0, 1) }), hash, "--include changes the plan");
  t.not(planHash({ ...p, settings: { ...p.settings, stub: true } }), hash, "--stub changes the plan");
  t.not(planHash({ ...p, settings: { ...p.settings, stub: true } }, { stubMode: "429" }), planHash({ ...p, settings: { ...p.settings, stub: true } }));
  t.not(planHash({ ...p, manifestHash: "1".repeat(64) }), hash, "another manifest is another plan");
});

t.test("--shard parses i/n with 1 <= i <= n", async (t) => {
  t.same(parseShard("2/3"), { index: 2, total: 3 });
  t.same(parseShard("1/1"), { index: 1, total: 1 });
  for (const bad of ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/3/4", ""]) t.equal(parseShard(bad), undefined, bad);
});

t.test("property: deterministic, exact cover, no empty shard, backends together, pairs placed once", async (t) => {
  const rand = prng(20261124);
  let checked = 0;
  for (let i = 0; i < 400; i++) {
    const p = randomPlan(rand);
    const total = 1 + Math.floor(rand() * 6);
    const by = rand() < 0.5 ? "backend" : "cell";
    const timings = rand() < 0.5 ? randomTimings(p, rand) : undefined;
    const options = { total, by, timings, label: "linux-x64" } as const;
    const a = partitionPlan(p, options);
    const shuffled = { ...p, pairs: [...p.pairs].reverse() };
    const b = partitionPlan(shuffled, options);
    const all = planCells(p).map((c) => c.id);
    const where = `plan ${i}: ${p.backends.map((x) => `${x.name}×${x.cases.length}`).join(" ")} r${p.repeat} pairs ${p.pairs.map((x) => `${x.a}+${x.b}`).join(",")} into ${total} by ${by}${timings ? " (timings)" : ""}`;

    // Deterministic: the same plan gives the same split, whatever the order of its pairs.
    if (JSON.stringify(a) !== JSON.stringify(partitionPlan(p, options))) t.fail(`not deterministic: ${where}`);
    if (JSON.stringify(a.shards.map((s) => s.cells)) !== JSON.stringify(b.shards.map((s) => s.cells))) t.fail(`depends on pair order: ${where}`);
    // Exact cover.
    const seen = a.shards.flatMap((s) => s.cells.map((c) => c.id));
    if (seen.length !== all.length || new Set(seen).size !== all.length || !all.every((id) => seen.includes(id))) t.fail(`not an exact cover: ${where}`);
    // No empty shard while there are at least n cells.
    if (all.length >= total && a.shards.some((s) => !s.cells.length)) t.fail(`empty shard: ${where}`);
    // Every backend on some shard (backends without cases too), every pair on exactly one.
    for (const x of p.backends) if (!a.shards.some((s) => s.backends.includes(x.name))) t.fail(`backend ${x.name} on no shard: ${where}`);
    for (const q of p.pairs) if (a.shards.filter((s) => s.pairs.includes(q.name)).length !== 1) t.fail(`pair ${q.name} not on exactly one shard: ${where}`);
    // By backend: a backend's cells stay on one shard unless there were fewer groups with cells (backends joined by
    // pairs) than shards.
    if (by === "backend") {
      if (groupsWithCells(p) >= total) {
        for (const x of p.backends) {
          const holders = a.shards.filter((s) => s.cells.some((c) => c.backend === x.name));
          if (holders.length > 1) t.fail(`backend ${x.name} split: ${where}`);
        }
        // ...and a pair's two backends are on the pair's shard when neither was split.
        for (const q of p.pairs) {
          const home = a.shards.find((s) => s.pairs.includes(q.name));
          for (const name of [q.a, q.b]) {
            const has = p.backends.find((x) => x.name === name)?.cases.length;
            if (has && !home?.cells.some((c) => c.backend === name)) t.fail(`pair ${q.name} apart from ${name}: ${where}`);
          }
        }
      }
    }
    checked++;
  }
  t.equal(checked, 400, "400 generated plans checked");
});

t.test("by backend, fewer backends than shards: the biggest backend is cut so no shard is empty", async (t) => {
  const p = plan([backend("echo", ["a", "b", "c", "d"])], [pair("echo-echo", "echo", "echo")]);
  const split = partitionPlan(p, { total: 3 });
  t.same(
    split.shards.map((s) => s.cells.map((c) => c.id)),
    [["echo/c#1", "echo/d#1"], ["echo/a#1"], ["echo/b#1"]],
    "cut in halves (a b | c d), then a b again; the bigger half is placed first",
  );
  t.same(
    split.shards.map((s) => s.pairs),
    [[], ["echo-echo"], []],
    "the pair stays with its anchor, echo's first cell",
  );
  t.equal(partitionPlan(plan([backend("echo", ["a"])]), { total: 3 }).shards.filter((s) => s.cells.length).length, 1, "1 cell, 3 shards: 2 empty");
});

t.test("a split by timings beats a split by count on skewed durations (predicted durations)", async (t) => {
  // Six one-cell backends; a and d are slow. By count the units go round robin in name order: a and d land together.
  const names = ["a-slow", "b-quick", "c-quick", "d-slow", "e-quick", "f-quick"];
  const p = plan(names.map((n) => backend(n, ["one"])));
  const ms: MachineTimings = { cases: {}, preflight: {}, pairs: {} };
  for (const n of names) ms.cases[`${n}/one`] = n.endsWith("slow") ? 4000 : 200;
  const timings: Timings = { schema: "mittelo-timings/1", generatedAt: "2026-01-01T00:00:00.000Z", plan: "x", machines: { "linux-x64": ms } };
  const byCount = partitionPlan(p, { total: 3 });
  const byTime = partitionPlan(p, { total: 3, timings, label: "linux-x64" });
  const predicted = (split: typeof byCount) => split.shards.map((s) => predictMs(ms, s.cells, [], []));
  t.equal(byCount.basis, "count");
  t.equal(byTime.basis, "timings");
  t.same(predicted(byCount), [8000, 400, 400], "by count: both slow backends on shard 1");
  t.same(predicted(byTime), [4000, 4000, 800], "by timings: longest first, each slow backend alone");
  t.ok(Math.max(...predicted(byTime)) < Math.max(...predicted(byCount)));
  t.not(byCount.id, byTime.id, "the two splits have different ids (a merge refuses to mix them)");
  const other = partitionPlan(p, { total: 3, timings, label: "darwin-arm64" });
  t.same(predicted(other), predicted(byTime), "an unknown label uses the file's first machine");
});
