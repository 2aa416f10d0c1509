// --repeat, --timings and the new flags end to end: a case that fails every other run is flaky 2/4 in TAP, summary.md,
// JUnit and matrix.json, and min_pass_rate accepts it; a split by the timings of a previous run beats a split by count
// on a skewed plan (predicted durations); bad flags are usage errors; harness/run.mjs takes --shard.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { openPlan } from "../../src/manifest/open.ts";
import { partitionPlan, predictMs } from "../../src/manifest/partition.ts";
import { readTimings } from "../../src/report/read.ts";
import { validatorFor } from "../../src/util/ajv.ts";
import { ROOT, runCli } from "../helpers/cli.ts";
import { parseTap } from "../helpers/tap-parse.ts";

const FIXTURES = join(ROOT, "test/fixtures/shards");
const MAIN = join(FIXTURES, "matrix.yaml");
const SKEWED = join(FIXTURES, "skewed.yaml");
const FLAKY = join(FIXTURES, "flaky.yaml");
const root = t.testdir();
const dir = (name: string) => join(root, name);
/** In this process: these runs need no environment of their own, and a spawned CLI costs seconds of start-up on a loaded machine. */
const cli = (args: string[]) => runCli(args);
const json = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

t.test("--repeat: a case that fails every other run is flaky 2/4 everywhere; min_pass_rate accepts it", async (t) => {
  const out = dir("flaky");
  const r = await cli(["matrix", "-m", FLAKY, "--repeat", "4", "-o", out]);
  t.equal(r.code, 1, "flaky does not meet an expectation of pass");
  t.match(r.stdout, /^ {4}not ok 1 - coin flaky 2\/4$/m);
  t.match(r.stdout, /^not ok 1 - flip flaky 2\/4$/m);
  t.match(r.stdout, /^ {4}ok 1 - coin flaky 2\/4 \(accepted: min_pass_rate 0\.5\)$/m);
  t.match(r.stdout, /^ok 2 - flip-tolerant PASS 2\/4 \(flaky cases accepted by min_pass_rate\)$/m);
  t.match(r.stdout, /^ok 3 - steady PASS 4\/4$/m);
  t.match(r.stdout, /FLAKY 1/);
  const tap = await parseTap(r.stdout);
  t.same(tap.parseErrors, []);
  // The unexpected outcome is in the TAP once (what was expected, what came), not repeated on stderr.
  t.match(r.stdout, /^not ok 1 - flip flaky 2\/4\n {2}---\n {2}expected: PASS\n {2}got: flaky 2\/4$/m);
  t.notMatch(r.stderr, "expected PASS, got flaky");
  const summary = readFileSync(join(out, "summary.md"), "utf8");
  t.match(summary, "| flip | 🔁 flaky 2/4 ⚠️ |");
  t.match(summary, "## Flaky cases");
  t.match(summary, "| flip/coin | 🔁 flaky 2/4 | 0.50 | no | no min_pass_rate | #1 PASS, #2 FAIL exit-code, #3 PASS, #4 FAIL exit-code |");
  t.match(summary, "| flip-tolerant/coin | 🔁 flaky 2/4 | 0.50 | no | yes (min 0.5) |");
  const junit = readFileSync(join(out, "junit.xml"), "utf8");
  t.match(junit, /<testcase classname="flip" name="coin" time="[^"]+">\s*<failure message="expected PASS, got flaky 2\/4 — exit-code: /);
  t.match(junit, /classname="flip-tolerant" name="coin"[^>]*>\s*<system-out>accepted: flaky 2\/4 \(min_pass_rate 0\.5\)/);
  const report = json(join(out, "matrix.json")) as {
    counts: Record<string, number>;
    backends: Array<{
      name: string;
      outcome: string;
      matches: boolean;
      passes: number;
      runs: number;
      passRate: number;
      allPassed: boolean;
      cases: Array<Record<string, unknown>>;
    }>;
  };
  t.ok(validatorFor("report.schema.json")(report), JSON.stringify(validatorFor("report.schema.json").errors));
  const by = new Map(report.backends.map((b) => [b.name, b]));
  t.match(by.get("flip"), { outcome: "FLAKY", matches: false, passes: 2, runs: 4, passRate: 0.5, allPassed: false });
  t.match(by.get("flip")?.cases[0], { outcome: "FLAKY", passes: 2, runs: 4, passRate: 0.5, allPassed: false, accepted: false, minPassRate: null });
  t.same(
    ((by.get("flip")?.cases[0]?.repetitions ?? []) as Array<{ outcome: string }>).map((x) => x.outcome),
    ["PASS", "FAIL", "PASS", "FAIL"],
  );
  t.match(by.get("flip-tolerant"), { outcome: "PASS", matches: true, passes: 2, runs: 4 });
  t.match(by.get("flip-tolerant")?.cases[0], { outcome: "FLAKY", accepted: true, minPassRate: 0.5 });
  t.match(by.get("steady"), { outcome: "PASS", passes: 4, runs: 4, passRate: 1, allPassed: true });
  t.match(report.counts, { PASS: 2, FLAKY: 1 });
  for (const n of [1, 2, 3, 4]) t.ok(existsSync(join(out, "flip", "coin", `r${n}`, "stdout.txt")), `artifacts of run ${n}`);

  const accepted = await cli(["matrix", "-m", FLAKY, "--repeat", "4", "--exclude", "flip", "-o", dir("flaky-accepted"), "--reporter", "none"]);
  t.equal(accepted.code, 0, "an expectation with a minimum pass rate accepts the flaky case");
});

t.test("a split by the timings of a previous run beats a split by count on a skewed plan", async (t) => {
  const out = dir("skewed");
  const whole = await cli(["matrix", "-m", SKEWED, "-o", out, "--reporter", "none"]);
  t.equal(whole.code, 0, whole.stderr);
  const timingsFile = join(out, "timings.json");
  const timings = readTimings(timingsFile);
  t.ok(validatorFor("timings.schema.json")(timings));
  const plan = await openPlan(SKEWED, {}, {});
  const label = Object.keys(timings.machines)[0] as string;
  const ms = timings.machines[label];
  if (!ms) throw new Error("no machine in timings.json");
  // The slow cases sleep 1.5 s, so they took at least that; how long the quick ones took depends on the machine's load.
  t.ok((ms.cases["a-slow/one"] ?? 0) >= 1500 && (ms.cases["d-slow/one"] ?? 0) >= 1500, `skewed: ${JSON.stringify(ms.cases)}`);
  const predicted = (split: ReturnType<typeof partitionPlan>) => split.shards.map((s) => predictMs(ms, s.cells, s.backends, s.pairs));
  const countSplit = partitionPlan(plan, { total: 3 });
  const timedSplit = partitionPlan(plan, { total: 3, timings, label });
  const holder = (split: typeof countSplit, name: string) => split.shards.findIndex((s) => s.backends.includes(name));
  t.equal(holder(countSplit, "a-slow"), holder(countSplit, "d-slow"), "by count both slow backends share a shard");
  t.not(holder(timedSplit, "a-slow"), holder(timedSplit, "d-slow"), "by timings each slow backend has a shard of its own");
  const byCount = predicted(countSplit);
  const byTime = predicted(timedSplit);
  t.ok(Math.max(...byTime) < Math.max(...byCount), `predicted: by timings ${byTime.map(Math.round)} vs by count ${byCount.map(Math.round)}`);

  const list = await cli(["matrix", "-m", SKEWED, "--shard", "1/3", "--timings", timingsFile, "--list"]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /shard 1\/3 \(by backend, balanced by timings\): 1 of 6 cells, predicted /);
  const counted = await cli(["matrix", "-m", SKEWED, "--shard", "1/3", "--list"]);
  t.match(counted.stdout, /shard 1\/3 \(by backend, balanced by cell count\): 2 of 6 cells/);
  t.match(counted.stdout, /a-slow +one#1\n +d-slow +one#1/, "by count both slow backends land on shard 1");
  const bad = await cli(["matrix", "-m", SKEWED, "--shard", "1/3", "--timings", join(out, "summary.md")]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--timings .*summary\.md: not JSON/);
});

t.test("flags: bad --shard, --repeat and --label are usage errors; harness/run.mjs takes --shard", async (t) => {
  for (const [args, pattern] of [
    [["--shard", "4/3"], /--shard must be i\/n with 1 <= i <= n \(e\.g\. 2\/3\), got '4\/3'/],
    [["--shard", "two"], /--shard must be i\/n/],
    [["--repeat", "0"], /--repeat must be a whole number from 1 to 1000, got '0'/],
    [["--label", "a b"], /--label must be/],
    [["--shard-by", "cell"], /--shard-by only applies with --shard i\/n/],
  ] as Array<[string[], RegExp]>) {
    const r = await cli(["matrix", "-m", MAIN, ...args, "--list"]);
    t.equal(r.code, 2, args.join(" "));
    t.match(r.stderr, pattern);
  }
  const harness = await execa("npx", ["zx", "harness/run.mjs", "-m", MAIN, "--shard", "2/3", "--list"], { cwd: ROOT, reject: false });
  t.equal(harness.exitCode, 0, String(harness.stderr));
  t.match(String(harness.stdout), /^shard 2\/3 \(by backend, balanced by cell count\)/m);
});
