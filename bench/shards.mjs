#!/usr/bin/env node
// Shards benchmark: a plan with skewed durations (a few slow backends among quick ones) run on 1 machine, then as 3
// shards balanced by cell count, then as 3 shards balanced by the timings.json of the 1-machine run. Each shard stands
// for a machine of its own, so the shards run one after another (run at once on one small machine they would measure
// its contention, not the split) and the split's wall time is its slowest shard: the CI job that finishes last. Each
// wall time is the whole command (Node start-up included). Every split is merged and must give the 1-machine outcomes.
// Usage: node bench/shards.mjs [--runs 3] [--slow 2] [--quick 0.2] [--backends 12] [--concurrency 1]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    slow: { type: "string", default: "2" },
    quick: { type: "string", default: "0.2" },
    backends: { type: "string", default: "12" },
    concurrency: { type: "string", default: "1" },
  },
});
const RUNS = Number(values.runs);
const N = Number(values.backends);
const SLOW = Number(values.slow);
const QUICK = Number(values.quick);
const C = String(values.concurrency);
const bin = new URL("../bin/mittelo.mjs", import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), "mittelo-bench-shards-"));
const env = { CI: "1", GITHUB_ACTIONS: "", GITHUB_STEP_SUMMARY: "" };

// Backends b01…bNN with two cases each; every third one (b01, b04, b07, …) is slow. Units are placed in name order, so
// a split by count deals them out round robin: b01, b04, b07, b10 all land on shard 1. A split by count does not know
// durations; this is its unlucky case, and the one a split by timings is for.
const names = Array.from({ length: N }, (_, i) => `b${String(i + 1).padStart(2, "0")}`);
const slow = new Set(names.filter((_, i) => i % 3 === 0));
const manifest = [
  "version: 1",
  "defaults:",
  "  timeout: 60s",
  "  cases:",
  '    - { name: one, prompt: "Return exactly: mittelo smoke ok", expect: { stdout: { contains: mittelo smoke ok } } }',
  '    - { name: two, prompt: "Return exactly: mittelo smoke ok", expect: { stdout: { contains: mittelo smoke ok } } }',
  "backends:",
  ...names.map((n) => `  ${n}: { invoke: { wrapper: wrappers/sleep/run }, env: { BENCH_SLEEP: "${slow.has(n) ? SLOW : QUICK}" }, expect: { default: pass } }`),
  "",
].join("\n");
writeFileSync(join(root, "matrix.yaml"), manifest);
mkdirSync(join(root, "wrappers", "sleep"), { recursive: true });
writeFileSync(join(root, "wrappers", "sleep", "run"), '#!/bin/sh\ncat >/dev/null\nsleep "$BENCH_SLEEP"\necho "mittelo smoke ok"\n', { mode: 0o755 });

async function matrix(args, out) {
  const started = performance.now();
  const r = await execa("node", [bin, "matrix", "--manifest", join(root, "matrix.yaml"), "--concurrency", C, "--reporter", "none", "-o", out, ...args], {
    reject: false,
    env,
  });
  const ms = performance.now() - started;
  if (r.exitCode !== 0) throw new Error(`matrix ${args.join(" ")} exited ${r.exitCode}: ${r.stderr}`);
  return ms;
}

async function split(name, extra) {
  const outs = [1, 2, 3].map((i) => join(root, `${name}-${i}`));
  const walls = [];
  for (const [i, out] of outs.entries()) walls.push(await matrix(["--shard", `${i + 1}/3`, ...extra], out));
  const merged = join(root, `${name}-merged`);
  const m = await execa("node", [bin, "report", "merge", ...outs, "--out-dir", merged, "--reporter", "none"], { reject: false, env });
  if (m.exitCode !== 0) throw new Error(`merge ${name} exited ${m.exitCode}: ${m.stderr}`);
  const report = JSON.parse(readFileSync(join(merged, "matrix.json"), "utf8"));
  const outcomes = report.backends.map((b) => `${b.name}:${b.outcome}`).join(" ");
  const shards = outs.map((out) => JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")));
  const cells = shards.map((r) => r.shard.cells);
  return { walls, max: Math.max(...walls), outcomes, cells, work: shards.map(work) };
}

/** The time a run spent in its cases (sum of their durations): what a split balances. */
const work = (report) => report.backends.flatMap((b) => b.cases.flatMap((c) => c.repetitions.map((r) => r.durationMs ?? 0))).reduce((a, b) => a + b, 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const rows = { one: [], count: [], timings: [] };
let last;
try {
  console.log(
    `plan: ${N} backends × 2 cases; ${slow.size} slow (${SLOW} s per case: ${[...slow].join(", ")}), the rest ${QUICK} s; --concurrency ${C} on every machine; ${RUNS} runs`,
  );
  for (let run = 1; run <= RUNS; run++) {
    const oneOut = join(root, `one-${run}`);
    const one = await matrix([], oneOut);
    const oneWork = work(JSON.parse(readFileSync(join(oneOut, "matrix.json"), "utf8")));
    const expected = JSON.parse(readFileSync(join(oneOut, "matrix.json"), "utf8"))
      .backends.map((b) => `${b.name}:${b.outcome}`)
      .join(" ");
    const count = await split(`count-${run}`, []);
    const timed = await split(`timings-${run}`, ["--timings", join(oneOut, "timings.json")]);
    for (const x of [count, timed]) if (x.outcomes !== expected) throw new Error(`merged outcomes differ from the 1-machine run:\n${x.outcomes}\n${expected}`);
    rows.one.push(one);
    rows.count.push(count.max);
    rows.timings.push(timed.max);
    last = { count, timed };
    console.log(
      `run ${run}: 1 machine ${s(one)} · 3 shards by count ${count.walls.map(s).join(" / ")} · 3 shards by timings ${timed.walls.map(s).join(" / ")}`,
    );
    console.log(`       work in cases: 1 machine ${s(oneWork)} · by count ${count.work.map(s).join(" / ")} · by timings ${timed.work.map(s).join(" / ")}`);
  }
  const base = median(rows.one);
  console.log("\n| setup | wall (median of the slowest shard) | vs 1 machine |");
  console.log("| --- | --- | --- |");
  console.log(`| 1 machine | ${s(base)} | 1.00× |`);
  console.log(`| 3 shards, balanced by cell count | ${s(median(rows.count))} | ${(median(rows.count) / base).toFixed(2)}× |`);
  console.log(`| 3 shards, balanced by timings.json | ${s(median(rows.timings))} | ${(median(rows.timings) / base).toFixed(2)}× |`);
  console.log(`\ncells per shard (by count): ${last.count.cells.join(" / ")} · (by timings): ${last.timed.cells.join(" / ")}`);
  console.log("every merged report has the 1-machine run's outcomes");
} finally {
  rmSync(root, { recursive: true, force: true });
}
