// Shards end to end with fixture backends and the real CLI: three shards partition a plan and their merge says what a
// single run says (by backend and by cell, pairs included); missing, duplicated, foreign, newer and unfinished streams
// are refused with exit 2; a re-run shard's latest attempt wins; every event validates against its schema.
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import type { MatrixEvent, RunStartEvent } from "../../src/report/events.ts";
import { renderJson } from "../../src/report/json.ts";
import { foldEvents } from "../../src/report/model.ts";
import { readEventStream } from "../../src/report/read.ts";
import { validatorFor } from "../../src/util/ajv.ts";
import { ROOT, runCli, spawnCli } from "../helpers/cli.ts";
import { parseTap } from "../helpers/tap-parse.ts";

const FIXTURES = join(ROOT, "test/fixtures/shards");
const MAIN = join(FIXTURES, "matrix.yaml");
const root = t.testdir();
const dir = (name: string) => join(root, name);
const env = { MITTELO_FIXTURE_MACHINE: undefined, CI: undefined };
const cli = (args: string[], extra: Record<string, string | undefined> = {}) => spawnCli(args, { env: { ...env, ...extra }, timeout: 180_000 });
/** Merges run in this process: nothing is spawned, so it is quick. */
const merge = (args: string[]) => runCli(["report", "merge", ...args]);
const json = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const events = (folder: string) => readEventStream(join(folder, "events.ndjson")).events;
const startOf = (folder: string) => events(folder)[0] as RunStartEvent;

/** Which agent of a pair leased which task is up to the scheduler: a pair's split is not compared, only its total. */
const unsplit = (text: string) => text.replace(/split \d+\/\d+/g, "split <a>/<b>").replace(/\{\\?"a\\?":\d+,\\?"b\\?":\d+\}/g, "<split>");

/** Everything but times, paths and pair splits (and what says where a report came from). */
function comparable(value: unknown, key?: string): unknown {
  const drop = new Set([
    "startedAt",
    "endedAt",
    "durationMs",
    "latencyMs",
    "workMs",
    "ts",
    "artifacts",
    "cwd",
    "command",
    "outDir",
    "merged",
    "shard",
    "machines",
    "runId",
    "split",
  ]);
  if (Array.isArray(value)) return value.map((v) => comparable(v));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !drop.has(k) && !(key === "preflight" && k === "binary"))
        .map(([k, v]) => [k, comparable(v, k)]),
    );
  if (typeof value === "string") return unsplit(value.replace(/\d+(\.\d+)? ?(ms|s)\b/g, "<time>").replaceAll(root, "<out>"));
  return value;
}

/** A TAP text without its header comments (they say shard or merge), times and paths. */
function comparableTap(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^# (mittelo|merged|shard|every case)/.test(l))
    .join("\n")
    .replace(/\d+(\.\d+)? ?(ms|s)\b/g, "<time>")
    .replaceAll(root, "<out>")
    .replace(/split \d+\/\d+/g, "split <a>/<b>")
    .replace(/^(\s+)(a|b): \d+$/gm, "$1$2: <n>");
}

const comparableJunit = (text: string) => unsplit(text.replace(/ time="[^"]*"/g, "").replace(/\d+(\.\d+)? ?(ms|s)\b/g, "<time>"));
const tableRows = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith("| "))
    .map((l) => unsplit(l.replace(/\d+(\.\d+)? ?(ms|s)\b/g, "<time>")));

t.test("three shards partition a plan, and their merge says what a single run says (by backend and by cell)", async (t) => {
  const runs = await Promise.all([
    cli(["matrix", "-m", MAIN, "-o", dir("single")]),
    ...[1, 2, 3].map((i) => cli(["matrix", "-m", MAIN, "--shard", `${i}/3`, "-o", dir(`s${i}`), "--reporter", "none"])),
  ]);
  const [single, ...shards] = runs;
  t.equal(single?.code, 0, single?.stderr);
  for (const s of shards) t.ok(s.code === 0 || s.code === 1, s.stderr);
  const cellRuns = await Promise.all([1, 2, 3].map((i) => cli(["matrix", "-m", MAIN, "--shard", `${i}/3`, "--shard-by", "cell", "-o", dir(`c${i}`)])));
  for (const s of cellRuns) t.ok(s.code === 0 || s.code === 1, s.stderr);

  // The shards partition the plan: disjoint, together every cell of the single run, none empty.
  const all = events(dir("single"))
    .filter((e) => e.type === "case-end")
    .map((e) => (e as { cell: string }).cell)
    .sort();
  t.equal(all.length, startOf(dir("single")).plan.cells);
  for (const prefix of ["s", "c"]) {
    const parts = [1, 2, 3].map((i) => startOf(dir(`${prefix}${i}`)).shard?.cells ?? []);
    t.same(parts.flat().sort(), all, `${prefix}: the shards cover the plan`);
    t.equal(new Set(parts.flat()).size, all.length, `${prefix}: no cell twice`);
    t.ok(
      parts.every((p) => p.length > 0),
      `${prefix}: no empty shard`,
    );
    t.equal(new Set([1, 2, 3].map((i) => startOf(dir(`${prefix}${i}`)).plan.hash)).size, 1, `${prefix}: one plan hash`);
  }
  t.equal(startOf(dir("s1")).plan.hash, startOf(dir("single")).plan.hash, "sharding does not change the plan");
  // By backend, a backend's cells stay together, and ok + bad (joined by the pair ok-bad) share a shard.
  const holder = (cell: string) => [1, 2, 3].find((i) => startOf(dir(`s${i}`)).shard?.cells.includes(cell));
  t.equal(holder("echo/smoke#1"), holder("echo/second#1"));
  t.equal(holder("ok/smoke#1"), holder("bad/smoke#1"), "a pair's backends on one shard");

  const singleJson = comparable(json(join(dir("single"), "matrix.json")));
  for (const prefix of ["s", "c"]) {
    const out = dir(`merged-${prefix}`);
    const merged = await merge([dir(`${prefix}1`), dir(`${prefix}2`), dir(`${prefix}3`), "--out-dir", out]);
    t.equal(merged.code, single?.code, merged.stderr);
    t.same(comparable(json(join(out, "matrix.json"))), singleJson, `${prefix}: matrix.json says what the single run says`);
    t.equal(comparableTap(merged.stdout), comparableTap(single?.stdout ?? ""), `${prefix}: the same TAP`);
    t.equal(
      comparableJunit(readFileSync(join(out, "junit.xml"), "utf8")),
      comparableJunit(readFileSync(join(dir("single"), "junit.xml"), "utf8")),
      `${prefix}: the same junit.xml`,
    );
    t.same(
      tableRows(readFileSync(join(out, "summary.md"), "utf8")),
      tableRows(readFileSync(join(dir("single"), "summary.md"), "utf8")),
      `${prefix}: summary tables`,
    );
    t.ok(validatorFor("report.schema.json")(json(join(out, "matrix.json"))), "valid matrix.json");
    t.ok(existsSync(join(out, "timings.json")), "timings.json for the next split");
    // The merged stream is valid and replays into the same report.
    const replay = readEventStream(join(out, "events.ndjson"));
    t.same(comparable(renderJson(foldEvents(replay.events))), comparable(json(join(out, "matrix.json"))), `${prefix}: events.ndjson replays`);
    const tap = await parseTap(merged.stdout);
    t.same(tap.parseErrors, [], "valid TAP");
  }
  const pairs = (json(join(dir("merged-c"), "matrix.json")).pairs as Array<{ name: string; outcome: string; reason: string }>).map((p) => [
    p.name,
    p.outcome,
    p.reason,
  ]);
  t.same(
    pairs,
    [
      ["echo-echo", "PASS", "ok"],
      ["ok-bad", "SKIP", "backend-not-passed"],
    ],
    "pairs as in a single run, also when their backends were split over shards",
  );

  t.test("refused with exit 2: a missing shard, the same run twice, foreign plans, other splits, newer and unfinished streams", async (t) => {
    const refused = async (args: string[], pattern: RegExp, what: string) => {
      const r = await merge([...args, "--out-dir", dir(`refused-${what}`)]);
      t.equal(r.code, 2, `${what}: exit 2`);
      t.match(r.stderr, pattern, what);
      t.notMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
      t.notOk(existsSync(join(dir(`refused-${what}`), "matrix.json")), `${what}: no report written`);
    };
    await refused([dir("s1"), dir("s3")], /shard 2\/3 missing/, "missing");
    cpSync(dir("s2"), dir("s2-copy"), { recursive: true });
    await refused([dir("s1"), dir("s2"), dir("s2-copy"), dir("s3")], /the same run was given twice/, "twice");
    const foreign = await runCli(["matrix", "-m", MAIN, "--include", "absent", "-o", dir("foreign"), "--reporter", "none"]);
    t.ok(foreign.code === 0 || foreign.code === 1, foreign.stderr);
    await refused([dir("s1"), dir("foreign"), dir("s3")], /different plans of one manifest/, "plan");
    const other = await runCli(["matrix", "-m", join(FIXTURES, "skewed.yaml"), "--shard", "2/3", "-o", dir("other"), "--reporter", "none"]);
    t.equal(other.code, 0, other.stderr);
    await refused([dir("s1"), dir("other"), dir("s3")], /different manifests/, "manifest");
    await refused([dir("s1"), dir("c2"), dir("s3")], /split differently/, "split");

    const newer = dir("newer");
    cpSync(dir("s2"), newer, { recursive: true });
    const lines = readFileSync(join(newer, "events.ndjson"), "utf8").split("\n");
    const head = JSON.parse(lines[0] as string) as RunStartEvent;
    head.tool.version = "99.0.0";
    head.runId = "newer";
    writeFileSync(join(newer, "events.ndjson"), [JSON.stringify(head), ...lines.slice(1)].join("\n"));
    await refused([dir("s1"), newer, dir("s3")], /written by mittelo 99\.0\.0, newer than this mittelo/, "newer");

    const cut = dir("cut");
    cpSync(dir("s2"), cut, { recursive: true });
    const kept = readFileSync(join(cut, "events.ndjson"), "utf8").trimEnd().split("\n").slice(0, -1);
    writeFileSync(join(cut, "events.ndjson"), `${kept.join("\n")}\n`);
    await refused([dir("s1"), cut, dir("s3")], /did not finish \(no run-end event\)/, "unfinished");
    const into = await merge([dir("s1"), dir("s2"), dir("s3"), "--out-dir", dir("s1")]);
    t.equal(into.code, 2, "the merge never writes into a folder it merges");
    t.match(into.stderr, /is one of the folders being merged/);
  });

  t.test("a re-run shard: the latest attempt wins, and the report says so", async (t) => {
    const again = await runCli(["matrix", "-m", MAIN, "--shard", "2/3", "-o", dir("s2-again"), "--reporter", "none"]);
    t.ok(again.code === 0 || again.code === 1, again.stderr);
    const out = dir("merged-rerun");
    const merged = await merge([dir("s1"), dir("s2"), dir("s2-again"), dir("s3"), "--out-dir", out]);
    t.equal(merged.code, 0, merged.stderr);
    t.match(merged.stderr, /shard 2\/3 of linux-x64 ran 2 times: the latest/);
    t.match(readFileSync(join(out, "summary.md"), "utf8"), /shard 2\/3 of \S+ ran 2 times: the latest \([^)]*s2-again/);
    const info = json(join(out, "matrix.json")).merged as { streams: Array<{ source: string; used: boolean }> };
    t.same(
      info.streams
        .filter((s) => !s.used)
        .map((s) => s.source.split("/").pop())
        .sort(),
      ["events.ndjson"],
    );
    t.match(info.streams.find((s) => !s.used)?.source, /\/s2\/events\.ndjson$/, "the older attempt is the one not used");
    t.same(comparable(json(join(out, "matrix.json"))), singleJson, "the same report");
  });
});

t.test("every event of a run validates against schemas/events.schema.json", async (t) => {
  // env.loopback used to be added to run-start after the line was written: events.ndjson never had it.
  t.type(startOf(dir("single")).env.loopback, "boolean", "run-start in events.ndjson says whether loopback was bindable");
  const validate = validatorFor("events.schema.json");
  for (const name of ["single", "s1", "c2", "merged-s", "merged-rerun"]) {
    const lines = readFileSync(join(dir(name), "events.ndjson"), "utf8")
      .trim()
      .split("\n");
    const bad = lines.map((l) => JSON.parse(l) as MatrixEvent).filter((e) => !validate(e));
    t.same(bad, [], `${name}: ${JSON.stringify(validate.errors)}`);
  }
});
