// A backend slower than --timeout-s: FAIL timeout with the pending tasks, and no process left behind (also on Ctrl-C).
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { BIN, ROOT, spawnCli } from "../helpers/cli.ts";
import { leftovers, processesWithEnv, readResult, SMOKE_MANIFEST } from "../fixtures/smoke/helpers.ts";

const SLEEPY = "test/fixtures/smoke/backends/sleepy/run";

const hubPort = (url: string | null) => (url ? `--port ${url.split(":").pop()}` : "--port none");

t.test("timeout: FAIL timeout, pending tasks listed, no orphans", async (t) => {
  const out = join(t.testdir(), "pair");
  const run = await spawnCli(["pair-smoke", "-a", "sleepy", "-b", "sleepy", "--tasks", "2", "--timeout-s", "3", "--manifest", SMOKE_MANIFEST, "--out-dir", out]);
  t.equal(run.code, 1, run.stdout + run.stderr);
  t.match(run.stdout, /FAIL \(timeout\)/);
  const result = readResult(out);
  t.equal(result.verdict.reason, "timeout");
  t.same(result.details.pending, [1, 2]);
  t.equal(result.processes.length, 3, "hub and two agents were started");
  t.same(leftovers(result, [SLEEPY, hubPort(result.hub.url)]), [], "no hub, agent or backend process is left");
});

t.test("Ctrl-C: the smoke stops everything it started", async (t) => {
  const out = join(t.testdir(), "pair");
  const child = execa("node", [BIN, "pair-smoke", "-a", "sleepy", "-b", "sleepy", "--tasks", "2", "--timeout-s", "60", "--manifest", SMOKE_MANIFEST, "--out-dir", out], {
    cwd: ROOT,
    reject: false,
  });
  t.teardown(() => {
    child.kill("SIGKILL");
  });
  // Wait until both agents are running the backend (its processes appear), then interrupt.
  const until = Date.now() + 40_000;
  while (Date.now() < until) {
    const { stdout } = await execa("ps", ["-eo", "args"]);
    if (stdout.split("\n").filter((l) => l.includes(SLEEPY) && !l.includes("pair-smoke")).length >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGINT");
  const done = await child;
  t.equal(done.exitCode, 1, String(done.stdout) + String(done.stderr));
  const result = readResult(out);
  t.equal(result.verdict.outcome, "ERROR");
  t.equal(result.verdict.reason, "interrupted");
  t.same(leftovers(result, [SLEEPY, hubPort(result.hub.url)]), [], "nothing left after Ctrl-C");
});

t.test("SIGKILL of the smoke: the hub, the agents and their backends stop by themselves", { skip: process.platform !== "linux" && "reads /proc" }, async (t) => {
  const mark = `MITTELO_TEST_MARK=${process.pid}-${Date.now()}`;
  const [key, value] = mark.split("=") as [string, string];
  const child = execa("node", [BIN, "pair-smoke", "-a", "sleepy", "-b", "sleepy", "--tasks", "2", "--timeout-s", "60", "--manifest", SMOKE_MANIFEST, "--out-dir", t.testdir()], {
    cwd: ROOT,
    reject: false,
    env: { [key]: value },
  });
  t.teardown(() => {
    child.kill("SIGKILL");
  });
  // Wait until both agents run the backend: the smoke, the hub, two agents and at least two backends carry the mark.
  const running = () => processesWithEnv(mark).filter((pid) => pid !== child.pid);
  const until = Date.now() + 40_000;
  while (Date.now() < until) {
    const { stdout } = await execa("ps", ["-eo", "args"]);
    if (stdout.split("\n").filter((l) => l.includes(SLEEPY) && !l.includes("pair-smoke")).length >= 2 && running().length >= 5) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.ok(running().length >= 5, `hub, agents and backends are running (${running().length} processes)`);
  child.kill("SIGKILL");
  await child;
  // Each child notices it was orphaned (250 ms checks), cancels its work and exits; the backends are killed with it.
  const gone = Date.now() + 20_000;
  while (running().length > 0 && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 100));
  t.same(running(), [], "no process of the smoke outlives it");
});
