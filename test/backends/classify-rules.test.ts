// The classifier's rules, table-driven on hand-made run records: no process is spawned. Each row is one record and
// the rule (and outcome) that must decide it; a second table checks each rule on its own, firing and not firing.
import t from "tap";
import { classify, ruleContext } from "../../src/backends/classify.ts";
import { CLASSIFY_RULES, type ClassifyInput } from "../../src/backends/classify-rules.ts";
import type { RunRecord } from "../../src/backends/run-record.ts";

function record(over: Partial<RunRecord> = {}): RunRecord {
  return {
    argv: ["/bin/fake"],
    cwd: "/tmp",
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: "2026-01-01T00:00:01.000Z",
    durationMs: 1000,
    exitCode: 0,
    signal: null,
    timedOut: false,
    gated: null,
    canceled: false,
    spawnError: null,
    stdout: "pong\n",
    stderr: "",
    stdoutBytes: 5,
    stderrBytes: 0,
    stdoutTruncated: false,
    stderrTruncated: false,
    ...over,
  };
}

function input(over: Partial<ClassifyInput> = {}, rec: Partial<RunRecord> = {}): ClassifyInput {
  const r = record(rec);
  return {
    backend: { name: "fake", login: "fake login", install: "npm i -g fake" },
    record: r,
    extraction: { answer: r.stdout.trim() },
    expect: { exit_code: 0, stdout: { contains: "pong" } },
    output: { extract: "text", clean: true, bannerPatterns: ["^Welcome to"] },
    failures: [
      { pattern: "not logged in", reason: "auth" },
      { pattern: "ECONNREFUSED", reason: "network", stream: "stderr", exit_code: 3, hint: "start the proxy" },
    ],
    crashPatterns: ["^panic:", "Segmentation fault"],
    timeoutMs: 5000,
    ...over,
  };
}

interface Row {
  name: string;
  in: ClassifyInput;
  outcome: string;
  rule: string;
  reason?: string;
  evidence?: string | RegExp;
  hint?: string | RegExp;
}

const rows: Row[] = [
  { name: "a clean answer passes", in: input(), outcome: "PASS", rule: "all-checks", reason: "ok" },
  {
    name: "a process that never started is the harness's error, with the install hint",
    in: input({}, { spawnError: { code: "ENOENT", message: "spawn /bin/fake ENOENT" }, exitCode: null, stdout: "" }),
    outcome: "ERROR",
    rule: "spawn-error",
    evidence: "ENOENT",
    hint: "install it: npm i -g fake",
  },
  {
    name: "spawn error beats everything else",
    in: input({}, { spawnError: { code: "EACCES", message: "denied" }, canceled: true, timedOut: true, stderr: "panic: x" }),
    outcome: "ERROR",
    rule: "spawn-error",
  },
  {
    name: "a canceled run is an ERROR",
    in: input({}, { canceled: true, exitCode: null, stderr: "bye\n" }),
    outcome: "ERROR",
    rule: "canceled",
    evidence: "bye",
  },
  {
    name: "a crash beats a known setup failure in the same output",
    in: input({}, { exitCode: 1, stderr: "not logged in\npanic: nil map\n" }),
    outcome: "FAIL",
    rule: "crash-signature",
    reason: "crash",
    evidence: /panic: nil map/,
  },
  {
    name: "a crash fails even with exit 0 and a good answer",
    in: input({}, { stderr: "Segmentation fault (core dumped)" }),
    outcome: "FAIL",
    rule: "crash-signature",
  },
  {
    name: "silent on a question is a gate SKIP",
    in: input({}, { gated: { text: "Trust this folder? (y/n)" }, exitCode: null, stdout: "" }),
    outcome: "SKIP",
    rule: "gate-idle",
    reason: "gate",
    evidence: "Trust this folder? (y/n)",
  },
  {
    name: "a known setup failure on any stream is a SKIP with the login hint",
    in: input({}, { exitCode: 1, stdout: "Error: not logged in\n" }),
    outcome: "SKIP",
    rule: "failures[0]",
    reason: "auth",
    evidence: /not logged in/,
    hint: "log in: fake login",
  },
  {
    name: "a known setup failure is matched with escapes stripped",
    in: input({}, { exitCode: 1, stderr: "\u001b[31mnot logged\u001b[0m in" }),
    outcome: "SKIP",
    rule: "failures[0]",
  },
  {
    name: "a failure pattern with an exit code needs that exit code",
    in: input({}, { exitCode: 1, stderr: "connect ECONNREFUSED 127.0.0.1:9" }),
    outcome: "FAIL",
    rule: "exit-code",
  },
  {
    name: "a failure pattern restricted to stderr does not match stdout",
    in: input({}, { exitCode: 3, stdout: "ECONNREFUSED", stderr: "" }),
    outcome: "FAIL",
    rule: "exit-code",
  },
  {
    name: "a failure pattern with its exit code and stream matches, with its own hint",
    in: input({}, { exitCode: 3, stderr: "connect ECONNREFUSED 127.0.0.1:9" }),
    outcome: "SKIP",
    rule: "failures[1]",
    reason: "network",
    hint: "start the proxy",
  },
  {
    name: "a setup-failure text in a successful run is not a SKIP",
    in: input({}, { stdout: "pong (you are not logged in to the extras)\n" }),
    outcome: "PASS",
    rule: "all-checks",
  },
  {
    name: "every model call answered 429: a quota SKIP",
    in: input(
      {
        upstream: {
          calls: [
            { status: 429, mode: "429" },
            { status: 429, mode: "429" },
          ],
          omitted: 0,
        },
      },
      { timedOut: true, exitCode: null, stdout: "" },
    ),
    outcome: "SKIP",
    rule: "upstream.quota",
    reason: "quota",
  },
  {
    name: "model calls in a successful run are not judged",
    in: input({ upstream: { calls: [{ status: 429, mode: "429" }], omitted: 0 } }),
    outcome: "PASS",
    rule: "all-checks",
  },
  {
    name: "a timeout with no known cause fails, quoting the tail of stderr",
    in: input({}, { timedOut: true, exitCode: null, signal: "SIGKILL", stdout: "", stderr: "thinking…\nstill thinking…\n" }),
    outcome: "FAIL",
    rule: "timeout",
    evidence: "thinking… ⏎ still thinking…",
  },
  {
    name: "a timeout with no output says so",
    in: input({}, { timedOut: true, exitCode: null, stdout: "" }),
    outcome: "FAIL",
    rule: "timeout",
    evidence: "(no output at all)",
  },
  {
    name: "an unexpected exit code fails",
    in: input({}, { exitCode: 2, stderr: "usage: fake [opts]" }),
    outcome: "FAIL",
    rule: "exit-code",
    reason: "exit-code",
    evidence: "usage: fake [opts]",
  },
  {
    name: "death by signal names the signal",
    in: input({}, { exitCode: null, signal: "SIGSEGV", stdout: "" }),
    outcome: "FAIL",
    rule: "exit-code",
  },
  {
    name: "a JSON error object on stdout is a contract FAIL",
    in: input({ extraction: { answer: "", problem: { kind: "json-error", detail: "is_error: boom" } } }, { stdout: '{"is_error":"boom"}' }),
    outcome: "FAIL",
    rule: "output.json-error",
    reason: "contract",
  },
  {
    name: "an empty answer is a contract FAIL",
    in: input({}, { stdout: "  \n" }),
    outcome: "FAIL",
    rule: "contract.empty-answer",
    evidence: "(stderr empty too)",
  },
  {
    name: "escapes on a clean stdout are a contract FAIL",
    in: input({ extraction: { answer: "pong" } }, { stdout: "\u001b[32mpong\u001b[0m\n" }),
    outcome: "FAIL",
    rule: "contract.ansi",
  },
  {
    name: "escapes are allowed when output.clean is off",
    in: input(
      { output: { extract: "text", clean: false, bannerPatterns: ["^Welcome to"] }, extraction: { answer: "pong" } },
      { stdout: "\u001b[32mpong\u001b[0m\n" },
    ),
    outcome: "PASS",
    rule: "all-checks",
  },
  {
    name: "a banner on a clean stdout is a contract FAIL",
    in: input({ extraction: { answer: "pong" } }, { stdout: "Welcome to fake v1\npong\n" }),
    outcome: "FAIL",
    rule: "contract.banner",
    evidence: "Welcome to fake v1",
  },
  {
    name: "a wrong answer fails the first failed expectation",
    in: input({}, { stdout: "ping\n" }),
    outcome: "FAIL",
    rule: "expect.stdout.contains",
    reason: "expectation",
    evidence: '"ping"',
  },
];

t.test("classify: each record is decided by the rule the precedence says", async (t) => {
  for (const row of rows) {
    const { verdict } = classify(row.in);
    t.equal(verdict.outcome, row.outcome, `${row.name}: outcome`);
    t.equal(verdict.rule, row.rule, `${row.name}: rule`);
    if (row.reason) t.equal(verdict.reason, row.reason, `${row.name}: reason`);
    if (row.evidence !== undefined) t.match(verdict.evidence, row.evidence, `${row.name}: evidence`);
    if (row.hint !== undefined) t.match(verdict.hint, row.hint, `${row.name}: hint`);
  }
});

t.test("the rule table: named, documented, ends with a rule that always fires", async (t) => {
  const names = CLASSIFY_RULES.map((r) => r.name);
  t.equal(new Set(names).size, names.length, "rule names are unique");
  t.same(names.slice(0, 5), ["spawn-error", "canceled", "crash-signature", "gate-idle", "failures[i]"], "the harness's faults, crashes and gates come first");
  t.equal(names.at(-1), "all-checks");
  for (const rule of CLASSIFY_RULES) {
    t.ok(rule.when.length > 10 && rule.evidence.length > 3, `${rule.name} says when it fires and what it quotes`);
  }
  t.ok(CLASSIFY_RULES.at(-1)?.fire(ruleContext(input({}, { exitCode: 9 }))), "the last rule fires on any record");
});

t.test("each rule alone: the record it exists for fires it, a clean record does not", async (t) => {
  const clean = ruleContext(input());
  const firing: Record<string, ClassifyInput> = Object.fromEntries(
    rows.filter((r) => r.outcome !== "PASS").map((r) => [CLASSIFY_RULES.find((rule) => rule.fire(ruleContext(r.in)))?.name ?? "?", r.in]),
  );
  for (const rule of CLASSIFY_RULES) {
    if (rule.name === "all-checks") continue;
    t.equal(rule.fire(clean), undefined, `${rule.name} does not fire on a clean run`);
    const example = firing[rule.name];
    t.ok(example, `${rule.name} has a record in the table that it decides`);
    if (example) t.ok(rule.fire(ruleContext(example)), `${rule.name} fires on its record`);
  }
});

t.test("a table without a catch-all rule is a programming error, not a silent PASS", async (t) => {
  t.throws(() => classify(input(), []), /no rule fired/);
});
