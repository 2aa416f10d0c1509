// Agents end to end: real hub on port 0, real agent processes, the same invocation path as the harness.
import net from "node:net";
import t from "tap";
import { echoAnswer } from "../../src/backends/echo.ts";
import { connect, startTestHub } from "../fixtures/hub/helpers.ts";
import { agent } from "../fixtures/agent/helpers.ts";

t.test("an echo agent drains the queue; results are what echo answers", async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  const prompts = Array.from({ length: 5 }, (_, i) => `Return exactly: agent task ${i}`);
  for (const prompt of prompts) await client.call("enqueue", { prompt });
  const result = await agent(["--backend", "echo", "--port", String(hub.tcp.port), "--until-empty", "--worker-id", "w1"]);
  t.equal(result.exitCode, 0, result.stderr);
  const { tasks } = await client.call("list", { limit: 0 });
  t.equal(tasks.length, 5);
  for (const task of tasks) {
    t.equal(task.status, "done");
    t.equal(task.result, echoAnswer(task.prompt));
    t.equal(task.worker_id, "w1");
  }
  t.match(result.stderr, "stopped: 5 done, 0 failed");
});

t.test("the backend sees MITTELO_TASK_ID and MITTELO_WORKER_ID", async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  const { task_id } = await client.call("enqueue", { prompt: "hi" });
  const result = await agent(["--backend", "taskenv", "--port", String(hub.tcp.port), "--once", "--worker-id", "env-worker"]);
  t.equal(result.exitCode, 0, result.stderr);
  const { tasks } = await client.call("list", {});
  t.equal(tasks[0]?.result, `task=${task_id} worker=env-worker`);
});

t.test("a failing backend is acked failed with the classified reason", async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  await client.call("enqueue", { prompt: "anything" });
  const result = await agent(["--backend", "broken", "--port", String(hub.tcp.port), "--once"]);
  t.equal(result.exitCode, 0, result.stderr);
  const { tasks } = await client.call("list", {});
  t.equal(tasks[0]?.status, "failed");
  t.match(tasks[0]?.error, /^FAIL exit-code: exited with 4/);
});

t.test("preflight fail refuses to start: exit 2 with the finding and its fix", async (t) => {
  const result = await agent(["--backend", "absent", "--port", "1", "--once"]);
  t.equal(result.exitCode, 2);
  t.match(result.stderr, "not ready (preflight fail");
  t.match(result.stderr, "npm install -g mittelo-no-such-binary-xyz@1.0.0");
  t.notMatch(result.stderr, /\n\s+at /, "no stack trace");
});

t.test("one round trip per task: the ack goes out with the next lease, before the hub answered it", async (t) => {
  // A scripted hub: one task on the first lease; the ack's reply is held back until the next lease has arrived on the
  // same connection (or 3 s passed), then every later lease is empty (--until-empty ends the agent).
  const seen: string[] = [];
  let leases = 0;
  const server = net.createServer((socket) => {
    let buffer = "";
    let heldAck: string | undefined;
    const reply = (id: unknown, result: unknown) => socket.write(`${JSON.stringify({ id, result, error: null })}\n`);
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        const request = JSON.parse(buffer.slice(0, i)) as { id: unknown; method: string };
        buffer = buffer.slice(i + 1);
        seen.push(request.method + (heldAck ? " (ack unanswered)" : ""));
        if (request.method === "ack") {
          heldAck = JSON.stringify(request.id);
          setTimeout(() => {
            if (heldAck) reply(JSON.parse(heldAck), { ok: true });
            heldAck = undefined;
          }, 3000).unref();
        } else if (request.method === "lease") {
          if (heldAck) reply(JSON.parse(heldAck), { ok: true });
          heldAck = undefined;
          const tasks = leases++ === 0 ? [{ task_id: 1, prompt: "Return exactly: one trip", status: "leased" }] : [];
          reply(request.id, { tasks });
        } else reply(request.id, {});
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as net.AddressInfo;
  const result = await agent(["--backend", "echo", "--port", String(port), "--until-empty", "--worker-id", "w1"]);
  t.equal(result.exitCode, 0, result.stderr);
  t.same(seen, ["lease", "ack", "lease (ack unanswered)"], "the second lease was sent while the ack was still unanswered");
  t.match(result.stderr, "task 1: acked done");
  t.match(result.stderr, "stopped: 1 done, 0 failed");
});
