// Against the model stub the classifier sees what the model server answered: a CLI that retries 429s until it is
// killed is SKIP quota (not FAIL timeout), one that only ever got 500s is FAIL server, garbage is FAIL protocol,
// and a hang stays FAIL timeout with the unanswered call as evidence. The fixture CLI retries forever, like qwen.
// The 6 s timeout leaves a loaded machine time to start the CLI and make at least one call; the hang, whose evidence
// needs that call, gets 15 s. (A CI run once reported 0 calls for it: the call was still open when the run ended, and
// the stub logged a call only once its connection closed. The observer now counts open calls: stub/observe.ts.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { ROOT, runCli } from "../helpers/cli.ts";

const MANIFEST = `${ROOT}/test/fixtures/upstream/matrix.yaml`;

interface CaseJson {
  outcome: string;
  reason: string;
  rule: string;
  message: string;
  evidence: string | null;
  run: { timedOut: boolean } | null;
}

const expected: Array<[mode: string, outcome: string, reason: string, rule: string, message: RegExp]> = [
  ["ok", "PASS", "ok", "all-checks", /answered in/],
  ["429", "SKIP", "quota", "upstream.quota", /answered 429 \(quota\) to all \d+ model calls; the CLI kept retrying until the 6\.0 s timeout/],
  ["500", "FAIL", "server", "upstream.server", /answered 5xx \(server error\) to all \d+ model calls/],
  ["garbage", "FAIL", "protocol", "upstream.protocol", /invalid bodies/],
  ["401", "SKIP", "auth", "upstream.auth", /to its only model call; the CLI exited with 1/],
  ["hang", "FAIL", "timeout", "timeout", /no answer within 15\.0 s/],
];

for (const [mode, outcome, reason, rule, message] of expected) {
  t.test(`--stub-mode ${mode}: ${outcome} ${reason}`, async (t) => {
    const out = t.testdir();
    const timeout = mode === "hang" ? "15s" : "6s";
    const run = await runCli(["matrix", "-m", MANIFEST, "-i", "retrier", "--stub-mode", mode, "--timeout", timeout, "--reporter", "none", "-o", out]);
    t.equal(run.code, outcome === "PASS" ? 0 : 1, run.stderr);
    const report = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as { backends: Array<{ outcome: string; cases: CaseJson[] }> };
    const c = report.backends[0]?.cases[0];
    t.equal(c?.outcome, outcome, c?.message ?? "");
    t.equal(c?.reason, reason);
    t.equal(c?.rule, rule);
    t.match(c?.message, message);
    if (mode === "hang") t.match(c?.evidence, /model server log: 1 model call, 0 answered/);
    else if (outcome !== "PASS") t.match(c?.evidence, /^model server log: \d+ × HTTP (429|500|200|401)$/);
  });
}

t.test("the smoke pairs of a --stub-mode run talk to stubs in the same mode", async (t) => {
  const out = t.testdir();
  const run = await runCli(["matrix", "-m", MANIFEST, "-i", "quitter", "--stub-mode", "slow", "--timeout", "20s", "--reporter", "none", "-o", out]);
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as { pairs: Array<{ name: string; outcome: string }> };
  t.match(report.pairs, [{ name: "quitter-quitter", outcome: "PASS" }]);
  const calls = readFileSync(join(out, "pairs", "quitter-quitter", "stub-a.jsonl"), "utf8")
    .trim()
    .split("\n");
  t.ok(calls.length > 0, "agent A's stub answered");
  for (const line of calls) t.match(JSON.parse(line), { mode: "slow", status: 200 });
});
