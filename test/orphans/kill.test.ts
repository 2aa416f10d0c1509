// No orphans, whatever kills a Mittelö process: kill -9 of a matrix run, of a standalone agent, of a pair smoke and of a
// swarm whose backend ignores SIGTERM and leaves a grandchild that called setsid; afterwards nothing the run started
// is left (the test's own mark, MITTELO_TEST_MARK, is inherited by every process of the run), and no temp folder.
// Also: TERM of the `npx zx harness/run.mjs` launcher stops the run.
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import t, { type Test } from "tap";
import { connect, startTestHub } from "../fixtures/hub/helpers.ts";
import { killedAtTeardown } from "../fixtures/smoke/helpers.ts";
import { BIN, ROOT } from "../helpers/cli.ts";
import { until } from "../helpers/poll.ts";

const MANIFEST = join(ROOT, "test/fixtures/orphans/matrix.yaml");
const linuxOnly = { skip: process.platform !== "linux" && "reads /proc to find this run's processes" };

/** A marked run with its own TMPDIR; whatever of it is left at teardown is killed (so a failing test leaks nothing). */
function attack(t: Test) {
  const run = killedAtTeardown(t);
  // t.testdir() makes a fresh (empty) folder at every call: called once, here.
  const dir = t.testdir();
  const tmp = join(dir, "tmp");
  mkdirSync(tmp, { recursive: true });
  const start = (args: string[], file = "node", extra: Record<string, string> = {}): ResultPromise =>
    execa(file, args, {
      cwd: ROOT,
      reject: false,
      stdin: "ignore",
      env: { ...run.env, TMPDIR: tmp, ...extra },
      forceKillAfterDelay: false, // kill() sends only the signal the test asks for
    });
  /** The stubborn backend's `sleep 300`s (the backend's own and its setsid grandchild). */
  const sleeps = () => run.processes().filter((p) => p.args === "sleep 300").length;
  /** After the kill: waits until nothing of the run is left; says how long it took. */
  const folders = () => readdirSync(tmp).filter((name) => name.startsWith("mittelo-"));
  const settle = async (t: Test, killed: number) => {
    const ok = await until(() => run.processes().length === 0 && folders().length === 0, 30_000);
    t.ok(ok, `nothing of the run is left (${Date.now() - killed} ms after the kill)`);
    t.same(run.processes(), [], "no process carries the run's mark");
    t.same(folders(), [], "no temp folder of the run is left");
  };
  return { run, dir, tmp, start, sleeps, settle };
}

t.test("kill -9 of a matrix run: the backend that ignores SIGTERM and its setsid grandchild are killed", linuxOnly, async (t) => {
  const a = attack(t);
  const child = a.start([BIN, "matrix", "--manifest", MANIFEST, "--out-dir", join(a.dir, "out"), "--reporter", "none"]);
  t.ok(await until(() => a.sleeps() >= 2, 60_000), "the backend and its setsid grandchild run");
  const killed = Date.now();
  child.kill("SIGKILL");
  await child;
  await a.settle(t, killed);
});

t.test("kill -9 of a standalone agent mid-task: its backend goes with it, and its temp folder", linuxOnly, async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  await client.call("enqueue", { prompt: "never answered" });
  const a = attack(t);
  const child = a.start([BIN, "agent", "--manifest", MANIFEST, "--backend", "stubborn", "--port", String(hub.tcp.port), "--wait", "500ms"]);
  t.ok(await until(() => a.sleeps() >= 2, 60_000), "the agent runs the backend");
  t.ok(readdirSync(a.tmp).length > 0, "the agent made its temp folder");
  const killed = Date.now();
  child.kill("SIGKILL");
  await child;
  await a.settle(t, killed);
});

t.test("kill -9 of a pair smoke whose backends ignore SIGTERM: hub, agents, backends and grandchildren go", linuxOnly, async (t) => {
  const a = attack(t);
  const child = a.start([
    BIN,
    "pair-smoke",
    "-a",
    "stubborn",
    "-b",
    "stubborn",
    "--tasks",
    "2",
    "--timeout-s",
    "120",
    "--manifest",
    MANIFEST,
    "--out-dir",
    join(a.dir, "pair"),
  ]);
  t.ok(await until(() => a.sleeps() >= 4, 60_000), "both agents run the backend");
  const killed = Date.now();
  child.kill("SIGKILL");
  await child;
  await a.settle(t, killed);
});

t.test("kill -9 of a swarm whose backends ignore SIGTERM: the agents and what they run go", linuxOnly, async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  for (const n of [1, 2]) await client.call("enqueue", { prompt: `never answered ${n}` });
  const a = attack(t);
  const child = a.start([BIN, "swarm", "--agent", "stubborn=2", "--manifest", MANIFEST, "--port", String(hub.tcp.port)]);
  t.ok(await until(() => a.sleeps() >= 4, 60_000), "both agents run the backend");
  const killed = Date.now();
  child.kill("SIGKILL");
  await child;
  await a.settle(t, killed);
});

t.test("TERM of the npx zx launcher stops the run: reports written, nothing left", linuxOnly, async (t) => {
  const a = attack(t);
  const out = join(a.dir, "out");
  const child = a.start(["zx", "harness/run.mjs", "--manifest", MANIFEST, "--out-dir", out, "--reporter", "none"], "npx");
  t.ok(await until(() => a.sleeps() >= 2, 60_000), "the run is under way");
  const killed = Date.now();
  child.kill("SIGTERM");
  await child;
  await a.settle(t, killed);
  t.ok(await until(() => readdirSync(out).includes("matrix.json"), 30_000), "the stopped run still wrote its reports");
});
