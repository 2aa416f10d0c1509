// A backend that fails one task: FAIL task-failed, naming the task; a backend that is not ready: SKIP with its finding.
import { join } from "node:path";
import t from "tap";
import { spawnCli } from "../helpers/cli.ts";
import { leftovers, readResult, SMOKE_MANIFEST } from "../fixtures/smoke/helpers.ts";

t.test("a failing task makes the pair FAIL and is named", async (t) => {
  const out = join(t.testdir(), "pair");
  const run = await spawnCli(["pair-smoke", "-a", "flaky", "-b", "flaky", "--tasks", "4", "--manifest", SMOKE_MANIFEST, "--out-dir", out]);
  t.equal(run.code, 1, run.stdout + run.stderr);
  const result = readResult(out);
  t.equal(result.verdict.outcome, "FAIL");
  t.equal(result.verdict.reason, "task-failed");
  t.equal(result.details.failed, 1);
  t.equal(result.details.done, 3);
  const failed = result.details.failedTasks[0];
  t.ok(failed, "the failed task is listed");
  t.match(run.stdout, `task ${failed?.task_id}`, "the output names the failing task");
  t.match(failed?.error ?? "", /exit-code/);
  t.same(leftovers(result), []);
});

t.test("a backend whose preflight fails: SKIP with the finding, exit 0", async (t) => {
  const out = join(t.testdir(), "pair");
  const run = await spawnCli(["pair-smoke", "-a", "echo", "-b", "missing", "--manifest", SMOKE_MANIFEST, "--out-dir", out]);
  t.equal(run.code, 0, run.stdout + run.stderr);
  t.match(run.stdout, /SKIP \(missing-binary\)/);
  t.match(run.stdout, /skipped/);
  const result = readResult(out);
  t.equal(result.verdict.outcome, "SKIP");
  t.same(result.processes, [], "nothing was started");
});
