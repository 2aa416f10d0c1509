// Logging to a closed pipe never kills an agent before it cleans up: its stderr reader goes away (the swarm or pair
// smoke that read it was killed), then SIGTERM; the agent still finishes the task in hand, acks it and exits 0.
import t from "tap";
import { agent } from "../fixtures/agent/helpers.ts";
import { connect, startTestHub } from "../fixtures/hub/helpers.ts";

t.test("stderr closed, then SIGTERM: the agent acks the task in hand and exits 0 (no EPIPE crash)", async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  await client.call("enqueue", { prompt: "slow" });
  const child = agent(["--backend", "slowtask", "--port", String(hub.tcp.port)]);
  t.teardown(() => {
    child.kill("SIGKILL");
  });
  for (const deadline = Date.now() + 30_000; ; ) {
    const { stats } = await client.call("stats");
    if (stats.leased === 1) break;
    if (Date.now() > deadline) throw new Error("the task was never leased");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.stderr?.destroy(); // the reader is gone: every later write of the agent to stderr fails with EPIPE
  child.kill("SIGTERM"); // the agent logs that it finishes the task in hand: the first write into the closed pipe
  const result = await child;
  t.equal(result.exitCode, 0, "exited normally, not on an unhandled EPIPE");
  const { tasks } = await client.call("list", {});
  t.equal(tasks[0]?.status, "done", "the task in hand was finished and acked");
});
