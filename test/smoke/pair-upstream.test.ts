// The pair smoke against the model stub says what the stub's answers mean, as the matrix does: each agent runs its
// backend against a stub of its own (`agent --stub-mode`), its classifier sees what that stub answered, and the pair's
// verdict follows. Fixture CLIs imitate real ones: `quitter` gives up at the first error with a message naming no cause
// (so only the stub's answer can tell 429 from 401), `retrier` retries every error forever, silently, like qwen.
// No process of a run may be left behind.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { ROOT, spawnCli } from "../helpers/cli.ts";
import { markedRun, readResult } from "../fixtures/smoke/helpers.ts";
import { agent } from "../fixtures/agent/helpers.ts";
import { connect, startTestHub } from "../fixtures/hub/helpers.ts";

const MANIFEST = join(ROOT, "test/fixtures/upstream/matrix.yaml");
// Seven real pair smokes (a hub, two agents, two stubs and their CLIs each): 332 s at load 30 on 2 cores, over tap's
// 300 s per file. The file's own limit is raised; each smoke keeps its own deadline below.
t.setTimeout(900_000);
const linuxOnly = { skip: process.platform !== "linux" && "reads /proc to find this run's processes" };

const cases: Array<[backend: string, mode: string, outcome: string, reason: string, rule: string, timeoutS: string]> = [
  ["quitter", "ok", "PASS", "ok", "pair.all-done-once", "20"],
  ["quitter", "429", "SKIP", "quota", "pair.tasks-skipped", "20"],
  ["quitter", "401", "SKIP", "auth", "pair.tasks-skipped", "20"],
  ["retrier", "401", "SKIP", "auth", "pair.tasks-skipped", "20"],
  ["retrier", "429", "SKIP", "quota", "pair.upstream.quota", "6"],
  ["retrier", "500", "FAIL", "server", "pair.upstream.server", "6"],
  ["retrier", "hang", "FAIL", "timeout", "pair.timeout", "6"],
];

for (const [backend, mode, outcome, reason, rule, timeoutS] of cases) {
  t.test(`pair-smoke --stub-mode ${mode} with ${backend}: ${outcome} ${reason}`, linuxOnly, async (t) => {
    const out = join(t.testdir(), "pair");
    const marked = markedRun();
    const run = await spawnCli(
      ["pair-smoke", "-a", backend, "-b", backend, "--tasks", "2", "--timeout-s", timeoutS, "--stub-mode", mode, "--manifest", MANIFEST, "--out-dir", out],
      { env: marked.env, timeout: 90_000 },
    );
    t.equal(run.code, outcome === "FAIL" ? 1 : 0, "exit code", { stdout: run.stdout, stderr: run.stderr });
    const result = readResult(out);
    t.match(result.verdict, { outcome, reason, rule }, result.verdict.message);
    t.match(run.stdout, `pair ${backend}-${backend}: ${outcome} (${reason})`);
    if (rule === "pair.tasks-skipped") {
      t.equal(result.details.failed, 2, "both tasks were acked failed by their agents");
      for (const f of result.details.failedTasks) t.match(f.error, new RegExp(`^SKIP ${reason}: not set up here \\(${reason}\\): the model server answered`));
      t.match(result.verdict.evidence, /^task \d+ \(pair-[ab]\): model server log: \d+ × HTTP (429|401)$/, "the agent's evidence");
      t.match(run.stdout, "skipped: the backends are not set up here (exit 0)");
    }
    if (rule.startsWith("pair.upstream")) t.match(result.verdict.message, /to all \d+ model calls; the batch did not finish within 6\.0 s/);
    if (mode === "hang") t.match(result.verdict.evidence, /model server log: \d+ model calls?, 0 answered/);
    t.ok(result.artifacts.files.includes("stub-a.jsonl") && result.artifacts.files.includes("stub-b.jsonl"), "each agent's stub log is an artifact");
    const log = readFileSync(join(out, "stub-a.jsonl"), "utf8");
    if (mode !== "hang") t.match(log, new RegExp(`"status":${mode === "ok" ? 200 : mode}`), "agent A's stub answered in the mode");
    t.same(marked.processes(), [], "no process left behind");
  });
}

t.test("an agent with --stub-mode acks a task with what its stub's answers mean", async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  await client.call("enqueue", { prompt: "Return exactly: hello" });
  const log = join(t.testdir(), "stub.jsonl");
  const run = await agent(["--manifest", MANIFEST, "--backend", "quitter", "--port", String(hub.tcp.port), "--once", "--stub-mode", "429", "--stub-log", log]);
  t.equal(run.exitCode, 0, run.stderr);
  const { tasks } = await client.call("list", {});
  t.equal(tasks[0]?.status, "failed");
  t.match(
    tasks[0]?.error,
    /^SKIP quota: not set up here \(quota\): the model server answered 429 \(quota\) to its only model call; the CLI exited with 1\nevidence: model server log: 1 × HTTP 429\nnext step: /,
  );
  t.match(readFileSync(log, "utf8"), /"status":429/);
  const both = await agent(["--manifest", MANIFEST, "--backend", "quitter", "--port", "1", "--once", "--stub-mode", "429", "--stub-url", "http://127.0.0.1:1"]);
  t.equal(both.exitCode, 2);
  t.match(both.stderr, "--stub-url and --stub-mode exclude each other");
});
