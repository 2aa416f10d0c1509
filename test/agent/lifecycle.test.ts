// Agent lifecycle: reconnect before the hub exists, SIGTERM with a task in hand, and the swarm.
import { createServer } from "node:net";
import { execa } from "execa";
import t from "tap";
import { connect, startTestHub, waitFor } from "../fixtures/hub/helpers.ts";
import { BIN } from "../helpers/cli.ts";
import { agent, MANIFEST } from "../fixtures/agent/helpers.ts";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

t.test("an agent started before its hub reconnects and then works", async (t) => {
  const port = await freePort();
  const child = agent(["--backend", "echo", "--port", String(port), "--until-empty"]);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await waitFor(() => stderr.includes("retrying in"), "the agent reports that no hub answers", 30_000);
  const hub = await startTestHub(t, { port });
  const client = await connect(t, hub.tcp.port);
  await client.call("enqueue", { prompt: "Return exactly: late hub" });
  const result = await child;
  t.equal(result.exitCode, 0, stderr);
  const { tasks } = await client.call("list", {});
  t.equal(tasks[0]?.status, "done");
  t.equal(tasks[0]?.result, "late hub");
});

t.test("SIGTERM: the agent finishes the task in hand, acks it, and exits 0", async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  await client.call("enqueue", { prompt: "slow" });
  const child = agent(["--backend", "slowtask", "--port", String(hub.tcp.port)]);
  for (const deadline = Date.now() + 20_000; ; ) {
    const { stats } = await client.call("stats");
    if (stats.leased === 1) break;
    if (Date.now() > deadline) throw new Error("the task was never leased");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill("SIGTERM");
  const result = await child;
  t.equal(result.exitCode, 0, result.stderr);
  const { tasks } = await client.call("list", {});
  t.equal(tasks[0]?.status, "done", "the task in hand was finished, not lost");
  t.equal(tasks[0]?.result, "slow done");
});

t.test("a second SIGTERM (or the first, with --cancel-on-stop) cancels the task in hand: not acked, exit 0", async (t) => {
  for (const [flags, signals] of [
    [[], 2],
    [["--cancel-on-stop"], 1],
  ] as const) {
    const hub = await startTestHub(t);
    const client = await connect(t, hub.tcp.port);
    await client.call("enqueue", { prompt: "slow" });
    const child = agent(["--backend", "stuck", "--port", String(hub.tcp.port), "--lease-seconds", "60", ...flags]);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await waitFor(() => stderr.includes("leased, running stuck"), "the agent runs the task", 20_000);
    for (let i = 0; i < signals; i++) {
      child.kill("SIGTERM");
      await waitFor(() => stderr.split("SIGTERM:").length > i + 1, "the agent saw the signal", 5_000);
    }
    const result = await child;
    t.equal(result.exitCode, 0, result.stderr);
    t.match(result.stderr, "SIGTERM: canceling the task in hand", `${flags.join(" ") || "two signals"}`);
    t.match(result.stderr, /task \d+: canceled, not acked/);
    const { tasks } = await client.call("list", {});
    t.equal(tasks[0]?.status, "leased", "the task was not acked: the hub re-leases it when its lease expires");
    const ps = await execa("ps", ["-eo", "args"]);
    t.notMatch(String(ps.stdout), "sleep 29.7", "the backend's process tree was killed");
  }
});

t.test("SIGTERM with the hub gone: the ack is retried with backoff until the lease runs out, then exit 1", async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  await client.call("enqueue", { prompt: "slow" });
  const child = agent(["--backend", "slowtask", "--port", String(hub.tcp.port), "--lease-seconds", "2"]);
  for (const deadline = Date.now() + 20_000; ; ) {
    const { stats } = await client.call("stats");
    if (stats.leased === 1) break;
    if (Date.now() > deadline) throw new Error("the task was never leased");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  client.close();
  await hub.close();
  child.kill("SIGTERM");
  const result = await child;
  t.equal(result.exitCode, 1, result.stderr);
  t.match(result.stderr, /stopping without delivering the ack \(the hub re-leases the task when its lease expires\)/);
  const retries = result.stderr.split("\n").filter((line) => line.includes("retrying in")).length;
  t.ok(retries >= 1 && retries <= 10, `retried with backoff, not in a busy loop (${retries} retries)`);
  t.notMatch(result.stderr, /\n\s+at /, "no stack trace");
});

t.test("swarm: two echo agents share a batch, logs prefixed, none left behind", async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  for (let i = 0; i < 20; i++) await client.call("enqueue", { prompt: `Return exactly: swarm ${i}` });
  const result = await execa("node", [BIN, "swarm", "--manifest", MANIFEST, "--agent", "echo=2", "--port", String(hub.tcp.port), "--until-empty"], {
    reject: false,
    stdin: "ignore",
  });
  t.equal(result.exitCode, 0, result.stderr);
  t.match(result.stderr, "[echo-1] ");
  t.match(result.stderr, "[echo-2] ");
  const { tasks } = await client.call("list", { limit: 0 });
  t.equal(tasks.filter((task) => task.status === "done").length, 20);
  const ps = await execa("ps", ["-eo", "args"]);
  t.notMatch(String(ps.stdout), `--port ${hub.tcp.port}`, "no agent process left");
});
