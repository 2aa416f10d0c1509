// A failing case with one 10 MB stderr line: every report carries a bounded tail; the full text is only in stderr.txt.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { ROOT, runCli } from "../helpers/cli.ts";

const MANIFEST = `${ROOT}/test/fixtures/limits/matrix.yaml`;
const BOUND = 64 * 1024;

t.test("one 10 MB stderr line stays in stderr.txt; TAP, events, matrix.json, junit, summary and result.json stay small", async (t) => {
  const out = t.testdir();
  const result = await runCli(["matrix", "--manifest", MANIFEST, "--include", "huge-line", "--out-dir", out]);
  t.equal(result.code, 0, result.stderr.slice(0, 2000));
  t.ok(statSync(join(out, "huge-line", "smoke", "stderr.txt")).size >= 10 * 1024 * 1024, "the full (capped) text is in stderr.txt");
  t.ok(result.stdout.length < BOUND, `TAP on stdout: ${result.stdout.length} bytes`);
  t.ok(result.stderr.length < BOUND, `stderr: ${result.stderr.length} bytes`);
  for (const file of ["events.ndjson", "matrix.json", "junit.xml", "summary.md", "huge-line/smoke/result.json"]) {
    const size = statSync(join(out, file)).size;
    t.ok(size < BOUND, `${file}: ${size} bytes`);
  }
  // The tail still says what happened: the line, cut, with how much was cut.
  const report = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as {
    backends: Array<{ cases: Array<{ evidence: string; run: { stderrTail: string } }> }>;
  };
  const c = report.backends[0]?.cases[0];
  t.match(c?.run.stderrTail, /^x+… \[\+\d+ chars\]$/);
  t.match(c?.evidence, /^x+…/);
});
