// The reports a person reads, rendered from a fixed event stream: the human terminal report (exact text, colours only
// when asked), TAP with each hint once and short evidence (full with --verbose), and summary.md cells that show what a
// backend printed literally (HTML, pipes, newlines, backticks).
import t from "tap";
import type { Verdict } from "../../src/backends/verdict.ts";
import { EVENTS_FORMAT, type MatrixEvent } from "../../src/report/events.ts";
import { renderHuman } from "../../src/report/human.ts";
import { renderSummary } from "../../src/report/markdown.ts";
import { foldEvents } from "../../src/report/model.ts";
import { renderTap } from "../../src/report/tap.ts";
import { colorsOn } from "../../src/util/color.ts";

const TS = "2026-11-30T12:00:00.000Z";
const PATH_LIST = "/usr/local/bin:/usr/bin:/bin";
const missing: Verdict = {
  outcome: "SKIP",
  reason: "missing-binary",
  rule: "preflight.missing-binary",
  message: "codex not found on PATH",
  evidence: `searched PATH (3 dirs): ${PATH_LIST}`,
  hint: "npm install -g @openai/codex@0.169.0",
};
const broken: Verdict = {
  outcome: "FAIL",
  reason: "exit-code",
  rule: "exit-code",
  message: "exited with 3 <img src=x onerror=alert(1)> a|b\nsecond line",
  evidence: "stderr: Traceback ```boom```",
  hint: "read stderr.txt",
};

function run(): MatrixEvent[] {
  const backend = (name: string, expected: "pass" | "fail" | "skip" | "any-but-fail") => ({
    name,
    source: "manifest" as const,
    expected,
    cases: ["smoke"],
    description: "",
    cells: 1,
  });
  const caseEnd = (backend: string, verdict: Verdict, durationMs?: number): MatrixEvent => ({
    type: "case-end",
    ts: TS,
    backend,
    case: "smoke",
    cell: `${backend}/smoke#1`,
    repetition: 1,
    verdict,
    checks: [],
    ...(durationMs === undefined
      ? {}
      : {
          run: {
            argv: [backend],
            exitCode: verdict.outcome === "PASS" ? 0 : 3,
            signal: null,
            startedAt: TS,
            endedAt: TS,
            durationMs,
            timedOut: false,
            stdoutBytes: 1,
            stderrBytes: 1,
            stdoutTruncated: false,
            stderrTruncated: false,
            answer: "",
            stderrTail: "Traceback ```boom```",
          },
        }),
  });
  const ok: Verdict = { outcome: "PASS", reason: "ok", rule: "pass", message: "answered as expected" };
  return [
    {
      type: "run-start",
      ts: TS,
      format: EVENTS_FORMAT,
      runId: "run-1",
      label: "linux-x64",
      plan: { hash: "0123456789abcdef", repeat: 1, cells: 3, backends: ["broken", "codex", "echo"], pairs: ["echo-echo"] },
      shard: null,
      tool: { name: "mittelo", version: "1.2.3" },
      manifest: { path: "/work/project/matrix.yaml", sha256: "x" },
      profile: null,
      env: { node: "v20", os: "linux", arch: "x64", ci: false },
      outDir: "/work/project/reports/e2e/run",
      command: ["mittelo", "matrix"],
      settings: { concurrency: 8, stub: false, runOnWarn: false },
      backends: [backend("broken", "pass"), backend("codex", "any-but-fail"), backend("echo", "pass")],
      excluded: [],
      pairs: [{ name: "echo-echo", a: "echo", b: "echo", expected: "pass" }],
    },
    caseEnd("broken", broken, 40),
    caseEnd("codex", missing),
    caseEnd("echo", ok, 120),
    {
      type: "pair-end",
      ts: TS,
      pair: "echo-echo",
      a: "echo",
      b: "echo",
      verdict: ok,
      expected: "pass",
      matches: true,
      durationMs: 800,
      details: { tasks: 6, split: { a: 4, b: 2 } },
    },
    {
      type: "run-end",
      ts: TS,
      durationMs: 1500,
      exitCode: 1,
      counts: { PASS: 2, FAIL: 1, SKIP: 1, ERROR: 0, FLAKY: 0 },
      mismatches: ["broken: expected PASS, got FAIL"],
    },
  ];
}

t.test("the human report: one line per backend and pair, a one-line total, where the reports are", async (t) => {
  const text = renderHuman(foldEvents(run()), { color: false, cwd: "/work/project" });
  t.equal(
    text,
    [
      "mittelo 1.2.3 · matrix.yaml · profile (none)",
      "",
      " ✘ broken   FAIL  (expected PASS)  exit-code: exited with 3 <img src=x onerror=alert(1)> a|b second line → read stderr.txt",
      " ○ codex    SKIP   missing-binary: codex not found on PATH → npm install -g @openai/codex@0.169.0",
      " ✔ echo     PASS   120 ms",
      " ✔ pair echo-echo (echo + echo) PASS   6 tasks, A 4 / B 2 · 800 ms",
      "",
      'PASS 2 · FAIL 1 · SKIP 1 · ERROR 0 — 1 unexpected (marked "expected" above) · 1.5 s',
      "reports: reports/e2e/run/ (summary.md, matrix.json, junit.xml)",
      "",
    ].join("\n"),
  );
  t.notMatch(text, PATH_LIST, "no PATH dump by default");
  t.notMatch(text, "\u001b[", "no colour codes when colours are off");
  const verbose = renderHuman(foldEvents(run()), { color: false, verbose: true });
  t.match(verbose, `rule preflight.missing-binary · evidence: searched PATH (3 dirs): ${PATH_LIST}`, "--verbose: the evidence in full");
});

t.test("colours: green PASS, red and bold for the unexpected, off with NO_COLOR, on with FORCE_COLOR", async (t) => {
  const text = renderHuman(foldEvents(run()), { color: true });
  t.match(text, "\u001b[32m✔\u001b[39m echo");
  t.match(text, "\u001b[1m\u001b[31m(expected PASS)\u001b[39m\u001b[22m");
  t.match(text, "\u001b[33m○\u001b[39m codex");
  t.equal(colorsOn({}, true), true, "a terminal gets colours");
  t.equal(colorsOn({}, false), false, "a pipe does not");
  t.equal(colorsOn({ NO_COLOR: "1" }, true), false, "NO_COLOR turns them off");
  t.equal(colorsOn({ TERM: "dumb" }, true), false);
  t.equal(colorsOn({ FORCE_COLOR: "1" }, false), true, "FORCE_COLOR forces them, even through a pipe");
  t.equal(colorsOn({ FORCE_COLOR: "0" }, true), false, "FORCE_COLOR=0 turns them off");
  t.equal(colorsOn({ FORCE_COLOR: "1", NO_COLOR: "1" }, false), true, "FORCE_COLOR wins");
});

t.test("TAP: each hint once, evidence short unless --verbose, the mismatch without repeating the case", async (t) => {
  const tap = renderTap(foldEvents(run()));
  t.equal(tap.split("npm install -g @openai/codex@0.169.0").length - 1, 1, "the hint appears once");
  t.equal(tap.split("read stderr.txt").length - 1, 1, "the failure's hint appears once");
  t.match(tap, 'evidence: "searched PATH (3 dirs): …"');
  t.notMatch(tap, PATH_LIST);
  t.match(tap, /^not ok 1 - broken FAIL\n {2}---\n {2}expected: PASS\n {2}got: FAIL\n {2}\.\.\.$/m, "the mismatch: what was expected and what came");
  t.match(renderTap(foldEvents(run()), { verbose: true }), PATH_LIST, "--verbose: the whole PATH");
});

t.test("summary.md shows what a backend printed literally", async (t) => {
  const md = renderSummary(foldEvents(run()));
  const row = md.split("\n").find((l) => l.startsWith("| broken |")) ?? "";
  t.match(row, "exited with 3 &lt;img src=x onerror=alert(1)&gt; a\\|b second line", "HTML escaped, the pipe cannot split the cell");
  t.equal(row.split(" | ").length, 7, "still seven cells");
  t.notMatch(md, "<img", "no raw HTML anywhere");
  t.match(md, "````\nstderr: Traceback ```boom```\n````", "a fence longer than the backticks inside");
  t.match(md, "````\nTraceback ```boom```\n````", "the stderr tail is fenced too");
});
