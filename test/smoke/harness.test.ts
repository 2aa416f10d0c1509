// The harness runs the pairs after the matrix: PASS, an expected FAIL, and SKIP when a backend did not pass; in TAP and matrix.json.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { ROOT } from "../helpers/cli.ts";
import { SMOKE_MANIFEST } from "../fixtures/smoke/helpers.ts";

interface Pair {
  name: string;
  outcome: string;
  reason: string;
  message: string;
  matches: boolean;
  artifacts?: string;
}

t.test("harness/run.mjs runs the smoke pairs", async (t) => {
  const out = t.testdir();
  const run = await execa("npx", ["zx", "harness/run.mjs", "-m", SMOKE_MANIFEST, "-i", "echo", "-i", "flaky", "-i", "missing", "-o", out], {
    cwd: ROOT,
    reject: false,
  });
  t.equal(run.exitCode, 0, String(run.stdout) + String(run.stderr));
  t.match(run.stdout, /ok \d+ - pair echo-echo \(echo \+ echo\) PASS/);
  t.match(run.stdout, /pair echo-missing/);
  const matrix = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as { pairs: Pair[] };
  const byName = new Map(matrix.pairs.map((p) => [p.name, p]));
  t.equal(byName.get("echo-echo")?.outcome, "PASS");
  t.ok(existsSync(join(out, "pairs", "echo-echo", "result.json")), "artifacts under <out>/pairs/<name>/");
  t.equal(byName.get("flaky-flaky")?.outcome, "FAIL", "expected FAIL");
  t.equal(byName.get("flaky-flaky")?.matches, true);
  t.equal(byName.get("echo-missing")?.outcome, "SKIP");
  t.equal(byName.get("echo-missing")?.message, "backend missing did not pass: SKIP");
  t.match(readFileSync(join(out, "junit.xml"), "utf8"), /echo-echo/);
});

t.test("a pair starts as soon as its two backends are done, while a slow backend still runs", async (t) => {
  const out = t.testdir();
  // sleepy runs until its 15 s timeout; the echo pair needs only echo.
  await execa("node", ["bin/mittelo.mjs", "matrix", "-m", SMOKE_MANIFEST, "-i", "echo", "-i", "sleepy", "--timeout", "15s", "--reporter", "none", "-o", out], {
    cwd: ROOT,
    reject: false,
  });
  const events = readFileSync(join(out, "events.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string; ts: string; durationMs?: number; backend?: string; pair?: string; verdict?: { outcome: string } });
  const pair = events.find((e) => e.type === "pair-end" && e.pair === "echo-echo");
  const sleepy = events.find((e) => e.type === "backend-end" && e.backend === "sleepy");
  t.equal(pair?.verdict?.outcome, "PASS");
  const pairStarted = Date.parse(pair?.ts ?? "") - (pair?.durationMs ?? 0);
  t.ok(pairStarted < Date.parse(sleepy?.ts ?? ""), "the echo pair started before the slow backend ended");
});
