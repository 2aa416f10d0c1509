// The second signal is forceful (src/cli/stop-signal.ts), for the commands whose first signal stops what they started
// gracefully: SIGTERM, kill_grace, SIGKILL. With a backend that ignores SIGTERM and a kill_grace of 10 minutes, Ctrl-C
// twice ends the matrix, `mittelo exec` and a swarm (and its agents) at once: exit 128 + SIGINT, the line that says
// so, and nothing of the run left. (Before, a second signal was only acknowledged, or passed on to agents that waited
// out the kill_grace too.)
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import t, { type Test } from "tap";
import { connect, startTestHub } from "../fixtures/hub/helpers.ts";
import { killedAtTeardown } from "../fixtures/smoke/helpers.ts";
import { BIN, ROOT } from "../helpers/cli.ts";
import { until } from "../helpers/poll.ts";

const MANIFEST = join(ROOT, "test/fixtures/orphans/long-grace.yaml");
const linuxOnly = { skip: process.platform !== "linux" && "reads /proc to find this run's processes" };
/** Far below the 10-minute kill_grace of the fixture, far above what a loaded 2-core machine needs. */
const DEADLINE_MS = 60_000;

/** Starts `mittelo ...args` as a marked run; whatever of it is left at teardown is killed. */
function start(t: Test, args: string[], input?: string) {
  const run = killedAtTeardown(t);
  const tmp = join(t.testdir(), "tmp");
  mkdirSync(tmp, { recursive: true });
  const child: ResultPromise = execa("node", [BIN, ...args], {
    cwd: ROOT,
    reject: false,
    env: { ...run.env, TMPDIR: tmp },
    forceKillAfterDelay: false,
    ...(input === undefined ? { stdin: "ignore" as const } : { input }),
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exited = false;
  void child.finally(() => {
    exited = true;
  });
  /** The stubborn backend's `sleep 300`s (the backend's own and its setsid grandchild). */
  const sleeps = () => run.processes().filter((p) => p.args === "sleep 300").length;
  /** Ctrl-C, then, once the first line is out, Ctrl-C again; resolves with the result (or fails at the deadline). */
  const interruptTwice = async (t: Test, firstLine: string) => {
    child.kill("SIGINT");
    t.ok(await until(() => stderr.includes(firstLine), 30_000), "the first signal is answered", { stderr });
    child.kill("SIGINT");
    t.ok(await until(() => exited, DEADLINE_MS), "the second signal ended it (its graceful path would take 10 minutes)", { stderr });
    if (!exited) child.kill("SIGKILL");
    const result = await child;
    t.ok(await until(() => run.processes().length === 0, 30_000), "nothing of the run is left", { left: run.processes() });
    return { result, stderr };
  };
  return { child, sleeps, interruptTwice };
}

t.test("matrix: Ctrl-C twice kills the backend that ignores SIGTERM at once, writes the reports, exits 130", linuxOnly, async (t) => {
  const out = join(t.testdir(), "out");
  const run = start(t, ["matrix", "--manifest", MANIFEST, "--out-dir", out, "--reporter", "none"]);
  t.ok(await until(() => run.sleeps() >= 2, 60_000), "the backend and its setsid grandchild run");
  const { result, stderr } = await run.interruptTwice(t, "mittelo: SIGINT: stopping; killing the running backends, then writing the reports");
  t.equal(result.exitCode, 130, "128 + SIGINT", { stderr });
  t.match(stderr, "mittelo: SIGINT: killing every process of the run now (SIGKILL), then writing the reports");
  t.ok(existsSync(join(out, "matrix.json")), "the reports were written");
});

t.test("exec: Ctrl-C twice kills the CLI that ignores SIGTERM at once, exits 130", linuxOnly, async (t) => {
  const run = start(t, ["exec", "--manifest", MANIFEST, "--backend", "stubborn"], "hi");
  t.ok(await until(() => run.sleeps() >= 2, 60_000), "the CLI and its setsid grandchild run");
  const { result, stderr } = await run.interruptTwice(t, "mittelo: SIGINT: stopping stubborn");
  t.equal(result.exitCode, 130, "128 + SIGINT", { stderr });
  t.match(stderr, "mittelo: SIGINT: killing stubborn and what it started now (SIGKILL)");
  t.match(stderr, "mittelo exec stubborn: SIGINT: stopped stubborn");
});

t.test("swarm: Ctrl-C twice, the agents cancel their tasks and kill their backends at once; the swarm exits 130", linuxOnly, async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  for (const n of [1, 2]) await client.call("enqueue", { prompt: `never answered ${n}` });
  const run = start(t, ["swarm", "--agent", "stubborn=2", "--manifest", MANIFEST, "--port", String(hub.tcp.port)]);
  t.ok(await until(() => run.sleeps() >= 4, 60_000), "both agents run the backend");
  const { result, stderr } = await run.interruptTwice(t, "mittelo: SIGINT: stopping the swarm");
  t.equal(result.exitCode, 130, "128 + SIGINT", { stderr });
  t.match(stderr, "mittelo: SIGINT: each agent cancels the task in hand and kills its backend now");
  for (const n of [1, 2]) {
    t.match(stderr, new RegExp(`\\[stubborn-${n}\\] .*SIGINT: finishing the task in hand`), `agent ${n} got the first signal once`);
    t.match(stderr, new RegExp(`\\[stubborn-${n}\\] .*SIGINT: canceling the task in hand .*killing its backend now`), `agent ${n}: the second`);
  }
});
