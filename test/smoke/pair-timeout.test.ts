// A backend slower than --timeout-s: FAIL timeout with the pending tasks, and no process left behind (also on Ctrl-C,
// and when the smoke itself is SIGKILLed). Each run marks its processes with an env entry, so a test running at the
// same time (or another checkout's suite) is never taken for this run's leftovers.
import { join } from "node:path";
import { execa } from "execa";
import t, { type Test } from "tap";
import { BIN, ROOT, spawnCli } from "../helpers/cli.ts";
import { leftovers, markedRun, readResult, SMOKE_MANIFEST } from "../fixtures/smoke/helpers.ts";
import { until } from "../helpers/poll.ts";

const SLEEPY = "test/fixtures/smoke/backends/sleepy/run";
const linuxOnly = { skip: process.platform !== "linux" && "reads /proc to find this run's processes" };

/** A marked pair smoke of two sleepy agents with a long timeout, once both agents run the backend; killed at teardown. */
async function busySmoke(t: Test, out: string) {
  const run = markedRun();
  const child = execa(
    "node",
    [BIN, "pair-smoke", "-a", "sleepy", "-b", "sleepy", "--tasks", "2", "--timeout-s", "60", "--manifest", SMOKE_MANIFEST, "--out-dir", out],
    {
      cwd: ROOT,
      reject: false,
      env: run.env,
      forceKillAfterDelay: false, // kill() sends only the signal the test asks for
    },
  );
  t.teardown(() => {
    child.kill("SIGKILL");
  });
  const backends = () => run.processes(child.pid).filter((p) => p.args.includes(SLEEPY)).length;
  t.ok(await until(() => backends() >= 2, 40_000), "both agents run the backend");
  return { run, child };
}

t.test("timeout: FAIL timeout, pending tasks listed, no orphans", linuxOnly, async (t) => {
  const out = join(t.testdir(), "pair");
  const run = markedRun();
  const smoke = await spawnCli(
    ["pair-smoke", "-a", "sleepy", "-b", "sleepy", "--tasks", "2", "--timeout-s", "3", "--manifest", SMOKE_MANIFEST, "--out-dir", out],
    {
      env: run.env,
    },
  );
  t.equal(smoke.code, 1, smoke.stdout + smoke.stderr);
  t.match(smoke.stdout, /FAIL \(timeout\)/);
  const result = readResult(out);
  t.equal(result.verdict.reason, "timeout");
  t.same(result.details.pending, [1, 2]);
  t.equal(result.processes.length, 3, "hub and two agents were started");
  t.same(leftovers(result), [], "nothing left in the process groups it started");
  t.same(run.processes(), [], "no hub, agent or backend process of this run is left");
});

t.test("Ctrl-C: the smoke stops everything it started and exits 130", linuxOnly, async (t) => {
  const out = join(t.testdir(), "pair");
  const { run, child } = await busySmoke(t, out);
  child.kill("SIGINT");
  const done = await child;
  t.equal(done.exitCode, 130, String(done.stdout) + String(done.stderr));
  const result = readResult(out);
  t.equal(result.verdict.outcome, "ERROR");
  t.equal(result.verdict.reason, "interrupted");
  t.same(leftovers(result), [], "nothing left in the process groups it started");
  t.same(run.processes(), [], "nothing of this run is left after Ctrl-C");
});

t.test("SIGKILL of the smoke: the hub, the agents and their backends stop by themselves", linuxOnly, async (t) => {
  const { run, child } = await busySmoke(t, t.testdir());
  t.ok(run.processes(child.pid).length >= 5, `hub, agents and backends are running (${run.processes(child.pid).length} processes)`);
  child.kill("SIGKILL");
  await child;
  // Each child notices it was orphaned (250 ms checks), cancels its work and exits; the backends are killed with it.
  await until(() => run.processes().length === 0, 20_000);
  t.same(run.processes(), [], "no process of the smoke outlives it");
});
