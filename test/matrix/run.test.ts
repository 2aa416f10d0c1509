// The matrix run end to end against fixture backends: classification, reports, parallelism, secrets, orphans.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { validatorFor } from "../../src/util/ajv.ts";
import { ROOT, runCli } from "../helpers/cli.ts";
import { parseTap } from "../helpers/tap-parse.ts";

const MANIFEST = `${ROOT}/test/fixtures/matrix/matrix.yaml`;
const SECRET = "sk-fixture-secret-9f8e7d6c5b";

interface CaseJson {
  name: string;
  outcome: string;
  reason: string;
  rule: string;
  evidence: string | null;
  run: { startedAt: string; endedAt: string; stdoutTruncated: boolean; answer: string } | null;
}
interface BackendJson {
  name: string;
  source: string;
  outcome: string;
  reason: string | null;
  matches: boolean;
  cases: CaseJson[];
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

t.test("fixture matrix: every failure mode classified, reports agree, exit 0 when all match", async (t) => {
  const out = t.testdir();
  process.env.MITTELO_FIXTURE_API_KEY = SECRET;
  t.teardown(() => {
    delete process.env.MITTELO_FIXTURE_API_KEY;
  });
  const result = await runCli(["matrix", "--manifest", MANIFEST, "--out-dir", out, "--junit", join(out, "copy", "junit.xml")]);
  t.equal(result.code, 0, result.stderr);

  const report = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as { backends: BackendJson[]; exitCode: number };
  const validate = validatorFor("report.schema.json");
  t.ok(validate(report), JSON.stringify(validate.errors));
  const by = new Map(report.backends.map((b) => [b.name, b]));
  const expected: Record<string, [string, string]> = {
    pass: ["PASS", "ok"],
    fail: ["FAIL", "exit-code"],
    hang: ["FAIL", "timeout"],
    offline: ["SKIP", "network"],
    question: ["SKIP", "gate"],
    flood: ["FAIL", "expectation"],
    ansi: ["FAIL", "contract"],
    banner: ["FAIL", "contract"],
    crash: ["FAIL", "crash"],
    "json-error": ["FAIL", "contract"],
    auth: ["SKIP", "auth"],
    leak: ["PASS", "ok"],
    forker: ["PASS", "ok"],
    empty: ["FAIL", "contract"],
    absent: ["SKIP", "missing-binary"],
    "stdin-echo": ["PASS", "ok"],
  };
  for (const [name, [outcome, reason]] of Object.entries(expected)) {
    const b = by.get(name);
    t.equal(b?.outcome, outcome, `${name} outcome`);
    t.equal(b?.cases[0]?.reason, reason, `${name} reason`);
  }
  t.equal(by.get("question")?.cases[0]?.evidence, "Do you trust the files in this folder? (y/n)", "gate evidence is the question");
  t.match(by.get("offline")?.cases[0]?.evidence, "Reconnecting... waiting for network");
  t.equal(by.get("crash")?.cases[0]?.rule, "crash-signature", "a skip that comes with a crash is not a skip");
  t.equal(by.get("flood")?.cases[0]?.run?.stdoutTruncated, true, "flood output is capped");
  t.ok(statSync(join(out, "flood", "smoke", "stdout.txt")).size < 1.1 * 1024 * 1024, "capped artifact");
  t.equal(by.get("slow")?.source, "folder", "a folder-only backend is discovered and planned");
  t.equal(by.get("stdin-echo")?.cases.length, 3);

  // Parallelism: the two one-second backends overlapped.
  const span = (name: string) => {
    const run = by.get(name)?.cases[0]?.run;
    return [Date.parse(run?.startedAt ?? ""), Date.parse(run?.endedAt ?? "")] as const;
  };
  const [aStart, aEnd] = span("slow-a");
  const [bStart, bEnd] = span("slow-b");
  t.ok(aStart < bEnd && bStart < aEnd, "slow-a and slow-b ran at the same time");

  // TAP is valid and agrees with matrix.json.
  const tap = await parseTap(result.stdout);
  t.same(tap.parseErrors, []);
  t.equal(tap.ok, true, "every outcome matched its expectation");
  t.equal(tap.count, report.backends.length);
  t.match(result.stdout, /^ok \d+ - absent SKIP # SKIP missing-binary/m);
  t.match(result.stdout, /^not ok \d+ - hang FAIL # TODO timeout/m);

  // JUnit and summary.
  const junit = readFileSync(join(out, "copy", "junit.xml"), "utf8");
  const skipped = report.backends.filter((b) => b.outcome === "SKIP").length;
  t.match(junit, new RegExp(`<testsuites name="mittelo matrix" tests="\\d+" failures="0" errors="0" skipped="${skipped}"`));
  const summary = readFileSync(join(out, "summary.md"), "utf8");
  t.match(summary, "| hang | ❌ FAIL | fail | timeout:");
  t.match(summary, "### crash: expected FAIL, got FAIL (crash)");
  t.match(summary, "**Reproduce:**");

  // Events: one stream, every report rendered from it.
  const events = readFileSync(join(out, "events.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string });
  t.equal(events[0]?.type, "run-start");
  t.equal(events.at(-1)?.type, "run-end");

  // No secret in any written file, nor in TAP.
  for (const file of allFiles(out)) t.notOk(readFileSync(file, "utf8").includes(SECRET), `no secret in ${file}`);
  t.notOk(result.stdout.includes(SECRET), "no secret in TAP");
  t.match(readFileSync(join(out, "leak", "smoke", "stderr.txt"), "utf8"), "[REDACTED:MITTELO_FIXTURE_API_KEY]");

  // No orphan: the forker's grandchild was killed with its group.
  const ps = await execa("ps", ["-eo", "args"]);
  t.notMatch(String(ps.stdout), "sleep 301.5", "no grandchild outlived the run");
});

t.test("unexpected outcomes exit 1 with a diff", async (t) => {
  const out = t.testdir();
  const result = await runCli([
    "matrix",
    "--manifest",
    MANIFEST,
    "--profile",
    "wrong",
    "--include",
    "pass",
    "--include",
    "absent",
    "--out-dir",
    out,
    "--reporter",
    "none",
  ]);
  t.equal(result.code, 1);
  t.match(result.stderr, "pass: expected FAIL, got PASS");
  t.match(result.stderr, "absent: expected FAIL, got SKIP");
});

t.test("--bail stops after the first unexpected outcome", async (t) => {
  const out = t.testdir();
  const result = await runCli([
    "matrix",
    "--manifest",
    MANIFEST,
    "--profile",
    "wrong",
    "--include",
    "absent",
    "--include",
    "slow-a",
    "--concurrency",
    "1",
    "--bail",
    "--out-dir",
    out,
    "--reporter",
    "tap",
  ]);
  t.equal(result.code, 1);
  const report = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as { backends: BackendJson[]; bailedOut: string | null };
  const reasons = report.backends.map((b) => b.cases[0]?.reason);
  t.ok(reasons.includes("bail") || reasons.includes("canceled"), `the other backend was stopped or not run: ${reasons}`);
  t.match(report.bailedOut, /^--bail: (absent|slow-a): expected FAIL, got /);
  // TAP says so in its own words: `Bail out!` right after the backend that stopped the run, and nothing after it.
  t.match(result.stdout, /^Bail out! --bail: (absent|slow-a): expected FAIL, got \w+\n$/m);
  t.match(result.stdout, /Bail out! .*\n$/, "Bail out! is the last line");
  const tap = await parseTap(result.stdout);
  t.equal(tap.bailout, true, "a TAP consumer sees the bail out");
  t.same(tap.parseErrors, []);
});

t.test("a wrapper that cannot be started is an ERROR, not a FAIL", async (t) => {
  process.env.MITTELO_BACKENDS_DIR = `${ROOT}/test/fixtures/matrix/extra`;
  t.teardown(() => {
    delete process.env.MITTELO_BACKENDS_DIR;
  });
  const out = t.testdir();
  const result = await runCli(["matrix", "--manifest", MANIFEST, "--include", "badshebang", "--out-dir", out, "--reporter", "json"]);
  t.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as { backends: BackendJson[] };
  t.equal(report.backends[0]?.outcome, "ERROR");
  t.equal(report.backends[0]?.cases[0]?.reason, "spawn");
});

t.test("usage and configuration errors exit 2", async (t) => {
  t.equal((await runCli(["matrix", "--manifest", MANIFEST, "--profile", "nope", "--list"])).code, 2);
  const unknown = await runCli(["matrix", "--manifest", MANIFEST, "--include", "pas", "--list"]);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, "did you mean 'pass'?");
  t.equal((await runCli(["matrix", "--manifest", MANIFEST, "--concurrency", "zero", "--list"])).code, 2);
  t.equal((await runCli(["matrix", "--manifest", MANIFEST, "--timeout", "soon", "--list"])).code, 2);
  const bad = await runCli(["matrix", "--manifest", `${ROOT}/test/fixtures/manifests/unknown-key.yaml`]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, "unknown-key.yaml:6:7: error[unknown-key]");
});

t.test("--list prints the plan without running anything", async (t) => {
  const result = await runCli(["matrix", "--manifest", MANIFEST, "--list", "--exclude", "hang"]);
  t.equal(result.code, 0);
  t.match(result.stdout, /pass\s+expect pass/);
  t.match(result.stdout, "hang           not planned: excluded");
});

t.test("--prompt replaces the default case's prompt", async (t) => {
  const out = t.testdir();
  const result = await runCli([
    "matrix",
    "--manifest",
    MANIFEST,
    "--include",
    "slow",
    "--prompt",
    "Return exactly: something else",
    "--out-dir",
    out,
    "--reporter",
    "json",
  ]);
  const report = JSON.parse(result.stdout) as { backends: BackendJson[] };
  t.equal(report.backends[0]?.outcome, "PASS", "the answer checks of the default case are dropped with --prompt");
});
