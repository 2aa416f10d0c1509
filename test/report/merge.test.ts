// The merge's rules on hand-made event streams (test/helpers/streams.ts), step by step: refuse what does not belong
// together, pick the latest attempt of each shard of one complete split per machine, build the merged start and body,
// judge backends, pairs and the run again; then the whole merge of a split run against the run it was split from.
// Nothing is spawned; test/matrix/shards.test.ts keeps one end-to-end merge of real shards.
import t, { type Test } from "tap";
import { pairGate, type Result } from "../../src/backends/outcome.ts";
import type { MatrixEvent, PairEndEvent } from "../../src/report/events.ts";
import { mergeStreams } from "../../src/report/merge.ts";
import { latestAttempts } from "../../src/report/merge/attempts.ts";
import { checkCoverage } from "../../src/report/merge/coverage.ts";
import { refuseForeign } from "../../src/report/merge/refuse.ts";
import { backendEnds, pairEnds, regate, rejudge, runEnd } from "../../src/report/merge/rejudge.ts";
import { mergedBody, mergedStart } from "../../src/report/merge/start.ts";
import { foldEvents, summarize } from "../../src/report/model.ts";
import type { EventStream } from "../../src/report/read.ts";
import { validatorFor } from "../../src/util/ajv.ts";
import { MitteloError } from "../../src/util/errors.ts";
import { allCells, cellsOf, gated, stream, verdictOf } from "../helpers/streams.ts";

const show = (f: string) => `<${f}>`;
const context = { outDir: "/reports/merged", command: ["mittelo", "report", "merge"], runId: "merged-run", now: "2026-01-02T00:00:00.000Z", show };
/** A refusal: a MitteloError with code merge-refused (exit 2), its message matching, and a hint. */
function refused(t: Test, fn: () => unknown, message: RegExp, what: string) {
  try {
    fn();
    t.fail(`${what}: not refused`);
  } catch (error) {
    t.type(error, MitteloError, what);
    t.match(error, { code: "merge-refused", exitCode: 2, message, hint: /\w/ }, what);
  }
}

/** The plan split by backend into two shards: a and b with the pair a-b, then c. */
const ALL = allCells({ c: "FAIL" });
const s1 = (over = {}) => stream("s1", { shard: { index: 1, total: 2 }, cells: cellsOf(ALL, "a", "b"), pairs: { "a-b": verdictOf("PASS") }, ...over });
const s2 = (over = {}) => stream("s2", { shard: { index: 2, total: 2 }, cells: cellsOf(ALL, "c"), ...over });

t.test("the hand-made streams are valid event streams", async (t) => {
  const validate = validatorFor("events.schema.json");
  const samples = [
    s1(),
    s2({ gateOnly: ["a"] }),
    stream("x", { cells: ALL, pairs: { "a-b": verdictOf("PASS"), "a-c": gated("c", "FAIL") } }),
    stream("y", { cells: allCells({}, 3), repeat: 3, label: "beta" }),
  ];
  for (const s of samples) for (const e of s.events) t.ok(validate(e), `${s.file} ${e.type}: ${JSON.stringify(validate.errors)}`);
  const merged = mergeStreams([s1(), s2()], context);
  for (const e of merged) t.ok(validate(e), `merged ${e.type}: ${JSON.stringify(validate.errors)}`);
});

t.test("step 1, refuse: nothing, a merged stream, the same run twice, another manifest, another plan", async (t) => {
  refused(t, () => refuseForeign([], show), /^nothing to merge$/, "nothing");
  const merged = stream("m", { cells: ALL, merged: { streams: [], machines: [], notes: [] } });
  refused(t, () => refuseForeign([s1(), merged], show), /^<m> is already a merged report$/, "a merged input");
  refused(
    t,
    () => refuseForeign([s1(), s2(), stream("copy", { shard: { index: 2, total: 2 }, cells: cellsOf(ALL, "c"), runId: "s2" })], show),
    /^the same run was given twice: <s2> and <copy> \(linux-x64, 2\/2\)$/,
    "twice",
  );
  refused(
    t,
    () => refuseForeign([s1(), s2({ manifestSha: "c".repeat(64) })], show),
    /^different manifests: <s1> ran aaaaaaaaaaaa, <s2> ran cccccccccccc$/,
    "another manifest",
  );
  refused(
    t,
    () => refuseForeign([s1(), s2({ planHash: "d".repeat(64), repeat: 2 })], show),
    /^different plans of one manifest: <s1> is plan bbbbbbbbbbbb \(profile \(none\), 3 backends, 6 cells, repeat 1\), <s2> is plan dddddddddddd \(profile \(none\), 3 backends, 12 cells, repeat 2\)$/,
    "another plan",
  );
  t.doesNotThrow(() => refuseForeign([s1(), s2()], show), "the shards of one plan");
  t.doesNotThrow(() => refuseForeign([s1(), s2(), s1({ runId: "s1-again", label: "beta" })], show), "one plan on two machines");
  // The merged check comes first: a merged stream given twice is refused as merged, not as a duplicate.
  refused(t, () => refuseForeign([merged, merged], show), /already a merged report/, "merged before twice");
});

t.test("step 2, attempts: one complete split per machine, the latest attempt of each shard", async (t) => {
  t.test("the shards of one machine", async (t) => {
    const got = latestAttempts([s2(), s1()], show);
    t.same(got.labels, ["linux-x64"]);
    t.same(
      got.used.map((s) => s.file),
      ["s1", "s2"],
      "in shard order, whatever the order given",
    );
    t.same(got.machines, [{ label: "linux-x64", env: s1().start.env, shards: 2 }]);
    t.same(got.notes, []);
    t.same(
      got.streams.map((s) => [s.source, s.shard, s.used, s.note]),
      [
        ["<s1>", "1/2", true, undefined],
        ["<s2>", "2/2", true, undefined],
      ],
    );
  });

  t.test("a whole-plan run is one shard of one", async (t) => {
    const got = latestAttempts([stream("whole", { cells: ALL })], show);
    t.same(
      got.streams.map((s) => [s.shard, s.used]),
      [["whole plan", true]],
    );
    t.same(got.machines[0]?.shards, 1);
  });

  t.test("a shard run twice: the latest start wins (then the run id), and a note says which", async (t) => {
    const older = s2({ ts: "2026-01-01T00:00:00.000Z" });
    const newer = s2({ ts: "2026-01-01T01:00:00.000Z", runId: "s2-again" });
    for (const order of [
      [s1(), older, newer],
      [newer, s1(), older],
    ]) {
      const got = latestAttempts(order, show);
      t.same(
        got.used.map((s) => s.start.runId),
        ["s1", "s2-again"],
      );
      t.same(got.notes, ["shard 2/2 of linux-x64 ran 2 times: the latest (2026-01-01T01:00:00.000Z, <s2>) is used; ignored 2026-01-01T00:00:00.000Z (<s2>)"]);
      t.same(
        got.streams.filter((s) => !s.used).map((s) => [s.runId, s.note]),
        [["s2", "an older attempt of this shard"]],
      );
    }
    const sameStart = latestAttempts([s1(), s2({ runId: "z" }), s2({ runId: "y" })], show);
    t.same(sameStart.used[1]?.start.runId, "z", "at the same start, the greater run id is the latest");
    const whole = latestAttempts([stream("w1", { cells: ALL }), stream("w2", { cells: ALL, ts: "2026-01-01T00:00:01.000Z" })], show);
    t.match(whole.notes[0], /^linux-x64 ran 2 times: the latest \(2026-01-01T00:00:01\.000Z, <w2>\)/, "a whole-plan run is named by its machine");
  });

  t.test("refused: a missing shard, another split, a run that did not finish", async (t) => {
    refused(t, () => latestAttempts([s1()], show), /^shard 2\/2 missing: got 1\/2$/, "missing");
    const three = (i: number) => stream(`t${i}`, { shard: { index: i, total: 3 }, cells: cellsOf(ALL, ["a", "b", "c"][i - 1] as string) });
    refused(t, () => latestAttempts([three(2)], show), /^shard 1\/3, shard 3\/3 missing: got 2\/3$/, "two missing");
    refused(
      t,
      () => latestAttempts([s1(), s2(), s1({ label: "beta", runId: "b1" })], show),
      /^shard 2\/2 missing \(beta\): got 1\/2$/,
      "the machine is named when there are several",
    );
    refused(
      t,
      () => latestAttempts([s1(), three(2), three(3)], show),
      /^linux-x64: runs of different splits: <s1> is 1\/2, <t2> is 2\/3, <t3> is 3\/3$/,
      "totals",
    );
    refused(
      t,
      () => latestAttempts([s1(), s2({ shard: { index: 2, total: 2, by: "cell", partition: "split-2" } })], show),
      /^linux-x64: the shards were split differently \(1\/2 by backend, count; 2\/2 by cell, count\)$/,
      "partitions",
    );
    refused(
      t,
      () => latestAttempts([s1(), s2({ finished: false })], show),
      /^shard 2\/2 of linux-x64: the run in <s2> did not finish \(no run-end event\)$/,
      "unfinished",
    );
    const rerun = latestAttempts([s1(), s2({ finished: false }), s2({ runId: "s2-again", ts: "2026-01-01T01:00:00.000Z" })], show);
    t.same(
      rerun.used.map((s) => s.start.runId),
      ["s1", "s2-again"],
      "an unfinished older attempt is no obstacle once the shard ran again",
    );
    refused(t, () => latestAttempts([stream("w", { cells: ALL, finished: false })], show), /^linux-x64: the run in <w> did not finish/, "a whole run");
  });

  t.test("two machines, one of them in shards, each its own split", async (t) => {
    const alpha = stream("alpha", { label: "alpha", cells: ALL, runId: "alpha" });
    alpha.start.env = { ...alpha.start.env, os: "darwin", arch: "arm64" };
    const got = latestAttempts([s2({ label: "beta" }), alpha, s1({ label: "beta" })], show);
    t.same(got.labels, ["alpha", "beta"]);
    t.same(
      got.used.map((s) => s.file),
      ["alpha", "s1", "s2"],
    );
    t.same(
      got.machines.map((m) => [m.label, m.env.os, m.shards]),
      [
        ["alpha", "darwin", 1],
        ["beta", "linux", 2],
      ],
    );
  });

  t.test("coverage: every cell of the plan exactly once per machine", async (t) => {
    t.doesNotThrow(() => checkCoverage("m", [s1(), s2()], 6, show));
    refused(
      t,
      () => checkCoverage("m", [s1(), s2({ cells: { ...cellsOf(ALL, "c"), "a/one#1": "PASS" } })], 6, show),
      /^m: cell a\/one#1 ran in both <s1> and <s2>$/,
      "a cell twice",
    );
    refused(t, () => checkCoverage("m", [s1(), s2({ cells: { "c/one#1": "FAIL" } })], 6, show), /^m: the shards hold 5 of the plan's 6 cells$/, "a cell short");
    refused(
      t,
      () => latestAttempts([s1(), s2({ cells: { "c/one#1": "FAIL" } })], show),
      /the shards hold 5 of the plan's 6 cells/,
      "checked by the attempts step",
    );
    t.doesNotThrow(() => checkCoverage("m", [stream("r", { cells: allCells({}, 2), repeat: 2 })], 12, show), "repetitions are cells");
  });
});

t.test("step 3, the merged start and body", async (t) => {
  const late = s1({ ts: "2026-01-01T05:00:00.000Z" });
  const early = s2({ ts: "2026-01-01T03:00:00.000Z", gateOnly: ["a"] });
  const attempts = latestAttempts([late, early], show);
  const start = mergedStart(attempts, context);
  t.match(start, {
    type: "run-start",
    ts: "2026-01-01T03:00:00.000Z",
    runId: "merged-run",
    outDir: "/reports/merged",
    command: ["mittelo", "report", "merge"],
    label: "linux-x64",
    shard: null,
    manifest: late.start.manifest,
    plan: late.start.plan,
  });
  t.same(
    start.backends.map((b) => [b.name, b.cells]),
    [
      ["a", 2],
      ["b", 2],
      ["c", 2],
    ],
    "every backend of the plan, in plan order, with all its cells",
  );
  t.same(
    start.pairs.map((p) => p.name),
    ["a-b"],
    "the pairs some shard ran",
  );
  t.same(start.merged, { streams: attempts.streams, machines: attempts.machines, notes: [] });
  const repeated = mergedStart(latestAttempts([stream("r", { cells: allCells({}, 3), repeat: 3 })], show), context);
  t.same(
    repeated.backends.map((b) => b.cells),
    [6, 6, 6],
    "cells are cases × repeat",
  );

  const body = mergedBody(attempts.used);
  t.same(
    [...new Set(body.map((e) => e.type))].sort(),
    ["case-end", "case-start", "preflight"],
    "no run-start, backend-end, pair-end or run-end: the merge judges those",
  );
  t.ok(
    body.every((e) => "label" in e && e.label === "linux-x64"),
    "every event carries its machine",
  );
  t.same(
    body.filter((e) => e.type === "preflight").map((e) => e.backend),
    ["a", "b", "c"],
    "one preflight per backend, the gate-only one left out",
  );
  t.equal(body.filter((e) => e.type === "case-end").length, 6);
  const twoMachines = mergedBody(latestAttempts([stream("x", { cells: ALL, label: "x" }), stream("y", { cells: ALL, label: "y" })], show).used);
  t.same(
    twoMachines.filter((e) => e.type === "preflight").map((e) => `${e.label}:${e.backend}`),
    ["x:a", "x:b", "x:c", "y:a", "y:b", "y:c"],
    "one preflight per backend and machine",
  );
});

t.test("step 4, judged again: backend ends, the pairs' gate, the run's end", async (t) => {
  t.test("backend ends per machine, from the merged cases", async (t) => {
    const x = stream("x", { cells: allCells({ b: "FAIL" }), label: "x" });
    const y = stream("y", { cells: allCells({ c: "SKIP" }), label: "y" });
    const attempts = latestAttempts([x, y], show);
    const start = mergedStart(attempts, context);
    const ends = backendEnds(foldEvents([start, ...mergedBody(attempts.used)]), context.now);
    t.same(
      ends.map((e) => [e.backend, e.label, e.outcome, e.expected, e.matches, e.ts]),
      [
        ["a", "x", "PASS", "pass", true, context.now],
        ["a", "y", "PASS", "pass", true, context.now],
        ["b", "x", "FAIL", "pass", false, context.now],
        ["b", "y", "PASS", "pass", true, context.now],
        ["c", "x", "PASS", "fail", false, context.now],
        ["c", "y", "SKIP", "fail", false, context.now],
      ],
    );
  });

  t.test("regate: a pair's verdict as a single run would give it", async (t) => {
    const pass = new Map<string, Result>([
      ["a", "PASS"],
      ["b", "PASS"],
      ["c", "FAIL"],
    ]);
    const shard = s1().start;
    const pairEnd = (pair: string, verdict: PairEndEvent["verdict"]) =>
      stream("p", { cells: {}, pairs: { [pair]: verdict } }).events.find((e): e is PairEndEvent => e.type === "pair-end") as PairEndEvent;

    const ran = pairEnd("a-b", verdictOf("PASS"));
    t.equal(regate(ran, shard, pass), ran, "ran, and the whole plan would have run it: unchanged");

    const ranGated = pairEnd("a-c", verdictOf("PASS"));
    const judged = regate(ranGated, shard, pass);
    t.same(judged.verdict, pairGate(ranGated, pass), "ran on a shard, but the whole plan gates it: the single run's SKIP");
    t.match(judged, { matches: false, durationMs: 0, details: {} });
    t.notOk("artifacts" in judged, "the pair's artifacts are not the verdict's any more");

    const sameGate = pairEnd("a-c", gated("c", "FAIL"));
    t.equal(regate(sameGate, shard, pass), sameGate, "gated as the whole plan gates it: unchanged");
    const otherGate = pairEnd("a-c", gated("a", "SKIP"));
    t.same(regate(otherGate, shard, pass).verdict, gated("c", "FAIL"), "gated for another reason: the whole plan's reason");

    const gatedOnShard = regate(pairEnd("a-b", gated("b", "SKIP")), shard, pass);
    t.match(gatedOnShard.verdict, {
      outcome: "SKIP",
      reason: "not-run-on-shard",
      rule: "merge.pair-gated-on-shard",
      message: "not run: on shard 1/2 of linux-x64 the gate saw backend b did not pass: SKIP, although a and b passed over the whole plan",
      evidence: "matrix outcome of b: SKIP",
      hint: /keep the pair's backends on one shard/,
    });
    t.equal(gatedOnShard.matches, false);

    const failed = pairEnd("a-b", verdictOf("FAIL", { reason: "verify", rule: "pair.verify" }));
    t.equal(regate(failed, shard, pass), failed, "a pair that ran and failed keeps its verdict");
  });

  t.test("pair ends: machine by machine, in plan order, each on its machine's outcomes", async (t) => {
    const x = stream("x", { label: "x", cells: ALL, pairs: { "a-c": gated("c", "FAIL"), "a-b": verdictOf("PASS") } });
    const y = stream("y", { label: "y", cells: allCells({ b: "SKIP" }), pairs: { "a-b": verdictOf("PASS") } });
    const attempts = latestAttempts([y, x], show);
    const model = foldEvents([mergedStart(attempts, context), ...mergedBody(attempts.used)]);
    t.same(
      pairEnds(model, attempts.used).map((p) => [p.label, p.pair, p.verdict.outcome, p.verdict.rule]),
      [
        ["x", "a-b", "PASS", "all-checks"],
        ["x", "a-c", "SKIP", "pair.backends-passed"],
        ["y", "a-b", "SKIP", "pair.backends-passed"],
      ],
      "a pair nobody ran is not invented (a-c on y)",
    );
  });

  t.test("the run's end: counts, mismatches, exit code, the last stream's end", async (t) => {
    const x = s1({ ts: "2026-01-01T00:00:00.000Z" });
    const y = s2({ ts: "2026-01-01T02:00:00.000Z" });
    const attempts = latestAttempts([x, y], show);
    const start = mergedStart(attempts, context);
    const body = mergedBody(attempts.used);
    const tail = rejudge(start, body, attempts.used, context.now);
    t.same(
      tail.map((e) => e.type),
      ["backend-end", "backend-end", "backend-end", "pair-end", "run-end"],
    );
    const end = tail.at(-1);
    const yEnd = y.events.at(-1);
    t.match(end, { type: "run-end", ts: yEnd?.ts, exitCode: 0, mismatches: [], counts: { PASS: 3, FAIL: 1, SKIP: 0, ERROR: 0, FLAKY: 0 } });
    t.equal(end?.type === "run-end" && end.durationMs, Date.parse(yEnd?.ts ?? "") - Date.parse(start.ts));

    const bad = latestAttempts([s1({ cells: cellsOf(allCells({ b: "FAIL" }), "a", "b") }), s2()], show);
    const badStart = mergedStart(bad, context);
    const badBody = mergedBody(bad.used);
    const judged = [badStart, ...badBody, ...backendEnds(foldEvents([badStart, ...badBody]), context.now)];
    t.match(runEnd(judged, bad.used, context.now), { exitCode: 1, mismatches: ["b: expected PASS, got FAIL"] });
    t.match(runEnd([badStart], [], context.now), { ts: context.now }, "no stream ended: now");
  });
});

t.test("a run split into shards merges into what the run itself says", async (t) => {
  const outcomes = allCells({ c: "FAIL" });
  const single = stream("single", { cells: outcomes, pairs: { "a-b": verdictOf("PASS"), "a-c": gated("c", "FAIL") } });
  const verdicts = (events: readonly MatrixEvent[]) => {
    const model = foldEvents(events);
    return {
      backends: model.backends.map((b) => [b.name, b.outcome, b.matches, b.passes, b.runs, b.machines.length]),
      cases: model.backends.flatMap((b) => b.cases.map((c) => [b.name, c.name, c.result.outcome])),
      pairs: model.pairs.map((p) => [p.pair, p.verdict.outcome, p.verdict.rule, p.matches]),
      ...summarize(model),
    };
  };
  const expected = verdicts(single.events);
  t.match(expected, { exitCode: 1, mismatches: ["pair a-c: expected PASS, got SKIP (backend-not-passed)"] }, "the single run's own verdicts");
  const splits: Array<[string, EventStream[]]> = [
    [
      "by backend, the pairs with a and b; c preflighted for the gate only, so a-c ran there",
      [
        stream("b1", {
          shard: { index: 1, total: 2 },
          cells: cellsOf(outcomes, "a", "b"),
          gateOnly: ["c"],
          pairs: { "a-b": verdictOf("PASS"), "a-c": verdictOf("PASS") },
        }),
        stream("b2", { shard: { index: 2, total: 2 }, cells: cellsOf(outcomes, "c") }),
      ],
    ],
    [
      "by cell, each case of every backend on its own shard",
      [1, 2].map((i) =>
        stream(`c${i}`, {
          shard: { index: i, total: 2, by: "cell" },
          cells: Object.fromEntries(Object.entries(outcomes).filter(([id]) => id.includes(i === 1 ? "/one#" : "/two#"))),
          pairs: i === 1 ? { "a-b": verdictOf("PASS"), "a-c": gated("c", "FAIL") } : {},
        }),
      ),
    ],
  ];
  for (const [what, shards] of splits) {
    const merged = mergeStreams(shards, context);
    t.same(verdicts(merged), expected, what);
    t.equal(merged.filter((e) => e.type === "run-start").length, 1, `${what}: one run-start`);
    t.equal(merged.at(-1)?.type, "run-end", `${what}: ends with run-end`);
    t.same(mergeStreams([...shards].reverse(), context), merged, `${what}: the order given does not matter`);
  }
});
