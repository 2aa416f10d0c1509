// Ctrl-C in the terminal of a swarm: the terminal signals the whole foreground process group. The swarm passes the
// signal on to its agents, so an agent in the swarm's group could get it twice (unless the two arrived close enough to
// merge, which they mostly do on an idle machine) and take the second for the forceful one: its task canceled. The
// agents have process groups of their own: each gets the signal once, finishes its task, acks it and exits 0. (The
// test is the terminal: the swarm leads a process group, which is sent SIGINT.)
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { connect, startTestHub, waitFor } from "../fixtures/hub/helpers.ts";
import { BIN, ROOT } from "../helpers/cli.ts";

t.test("Ctrl-C of a swarm (SIGINT to its process group): each agent finishes the task in hand, acks it, exits 0", async (t) => {
  const manifest = join(t.testdir(), "matrix.yaml");
  writeFileSync(
    manifest,
    [
      "version: 1",
      "defaults: { timeout: 60s, kill_grace: 300ms }",
      'backends:\n  slow: { invoke: { argv: [sh, -c, "cat >/dev/null; sleep 4; echo slow done"] } }',
      "",
    ].join("\n"),
  );
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  await client.call("enqueue", { prompt: "slow" });
  const swarm = execa("node", [BIN, "swarm", "--manifest", manifest, "--agent", "slow=1", "--port", String(hub.tcp.port)], {
    cwd: ROOT,
    reject: false,
    stdin: "ignore",
    detached: true, // a process group led by the swarm, as a shell's job
    forceKillAfterDelay: false,
  });
  t.teardown(() => {
    try {
      if (swarm.pid) process.kill(-swarm.pid, "SIGKILL");
    } catch {
      // gone
    }
  });
  let stderr = "";
  swarm.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await waitFor(() => stderr.includes("leased, running slow"), "the agent runs the task", 30_000);
  process.kill(-(swarm.pid as number), "SIGINT");
  const result = await swarm;
  t.equal(result.exitCode, 0, stderr);
  t.match(stderr, "mittelo: SIGINT: stopping the swarm");
  t.equal(stderr.split("SIGINT: finishing the task in hand").length - 1, 1, "the agent got Ctrl-C once", { stderr });
  t.notMatch(stderr, "canceling the task in hand");
  const { tasks } = await client.call("list", {});
  t.match(tasks[0], { status: "done", result: "slow done" }, "the task in hand was finished and acked");
});
