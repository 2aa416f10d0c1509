// The hub's memory budget through real TCP, on both stores: the connection cap, the auth and idle timeouts, the bounds
// on what a connection and all connections together buffer, and the byte budget of replies (list cuts and pages,
// prompts and results have a size limit, a lease hands out a bounded number of tasks).
import net from "node:net";
import { HubClient } from "../../src/hub/client.ts";
import { AUTH_LINE_BYTES, CONNECTION_FLOOR_BYTES } from "../../src/hub/limits.ts";
import { RawConnection, runMain, startTestHub, storeTest, waitFor } from "../fixtures/hub/helpers.ts";

const TOKEN = "a-token-of-at-least-16-chars";
const KiB = 1024;
const MiB = 1024 * KiB;

/** Writes `bytes` bytes of `x` (no newline) as fast as the hub reads them; resolves when all are written or the socket ends. */
function flood(port: number, bytes: number): { socket: net.Socket; sent: () => number; done: Promise<void> } {
  const socket = net.connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  socket.resume(); // read and drop what the hub answers
  const chunk = Buffer.alloc(64 * KiB, "x");
  let sent = 0;
  const done = new Promise<void>((resolve) => {
    socket.once("close", () => resolve());
    const write = () => {
      while (sent < bytes && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once("drain", write);
      }
      resolve();
    };
    socket.once("connect", write);
  });
  return { socket, sent: () => sent, done };
}

storeTest("with a token, an endless first line is cut off at 64 KiB with a clear error, not buffered to 8 MiB", async (t) => {
  const hub = await startTestHub(t, { token: TOKEN });
  const c = await RawConnection.open(t, hub.tcp.port);
  c.send(Buffer.alloc(AUTH_LINE_BYTES + 1024, "x"));
  const [reply] = await c.replies(1);
  t.same(reply, { id: null, result: null, error: { message: `line exceeds the limit of ${AUTH_LINE_BYTES} bytes; closing the connection` } });
  await c.waitClosed();
  t.equal(hub.load().bufferedBytes, 0, "nothing held once it is gone");
  const ok = await RawConnection.open(t, hub.tcp.port);
  t.same((await ok.request("auth", { token: TOKEN })).result, { ok: true });
  t.same((await ok.request("enqueue", { prompt: "x".repeat(200 * KiB) })).error, null, "after auth, the full line limit");
});

storeTest("over --max-connections, a new connection is told why and closed; a freed slot is served again", async (t) => {
  const hub = await startTestHub(t, { maxConnections: 3 });
  const held = await Promise.all([1, 2, 3].map(() => RawConnection.open(t, hub.tcp.port)));
  for (const c of held) t.same((await c.request("stats")).error, null);
  const extra = await RawConnection.open(t, hub.tcp.port);
  const [refused] = await extra.replies(1);
  t.match(refused!.error?.message, /^the hub serves at most 3 connections \(--max-connections\) and has them all; try again later$/);
  await extra.waitClosed();
  t.equal(hub.load().connections, 3);
  held[0]!.socket.destroy();
  await waitFor(() => hub.load().connections === 2, "the hub to see the close");
  const next = await RawConnection.open(t, hub.tcp.port);
  t.same((await next.request("stats")).error, null, "a freed slot is served");
});

storeTest("with a token, a connection that does not authenticate within --auth-timeout is closed", async (t) => {
  const hub = await startTestHub(t, { token: TOKEN, authTimeoutMs: 300 });
  const silent = await RawConnection.open(t, hub.tcp.port);
  const authed = await RawConnection.open(t, hub.tcp.port);
  t.same((await authed.request("auth", { token: TOKEN })).result, { ok: true });
  const [reply] = await silent.replies(1);
  t.match(reply!.error?.message, /^not authenticated within 300 ms \(--auth-timeout\); closing the connection$/);
  await silent.waitClosed();
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.same((await authed.request("stats")).error, null, "an authenticated connection is not affected");
});

storeTest("a connection idle for --idle-timeout is closed; one parked in a long-poll or holding a lease is not", async (t) => {
  const hub = await startTestHub(t, { idleTimeoutMs: 400 });
  const idle = await RawConnection.open(t, hub.tcp.port);
  t.same((await idle.request("stats")).error, null);
  const holder = await RawConnection.open(t, hub.tcp.port);
  t.same((await holder.request("enqueue", { prompt: "p" })).error, null);
  t.equal(((await holder.request("lease", { worker_id: "h" })).result!.tasks as unknown[]).length, 1);
  const waiter = await RawConnection.open(t, hub.tcp.port);
  waiter.send(`${JSON.stringify({ id: 9, method: "lease", params: { worker_id: "w", wait_ms: 1500 } })}\n`);
  const [closed] = await idle.replies(1);
  t.match(closed!.error?.message, /^no request for 400 ms \(--idle-timeout\); closing the connection$/);
  await idle.waitClosed();
  const [woken] = await waiter.replies(1);
  t.same(woken, { id: 9, result: { tasks: [] }, error: null }, "the long-poll ran to its end");
  t.notOk(holder.closed, "the lease holder is kept");
  t.same((await holder.request("ack", { task_id: 1, status: "done", worker_id: "h" })).result, { ok: true });
});

storeTest("lines pipelined behind a long-poll wait in the client's socket: the hub holds at most one line's worth", async (t) => {
  const maxLineBytes = 256 * KiB;
  const hub = await startTestHub(t, { maxLineBytes, maxPromptBytes: maxLineBytes });
  const c = await RawConnection.open(t, hub.tcp.port);
  c.send(`${JSON.stringify({ id: 0, method: "lease", params: { worker_id: "w", wait_ms: 2000 } })}\n`);
  const line = `${JSON.stringify({ id: 1, method: "enqueue", params: { prompt: "x".repeat(200 * KiB) } })}\n`;
  let peak = 0;
  let sent = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, hub.load().bufferedBytes);
  }, 5);
  t.teardown(() => clearInterval(sampler));
  // 40 lines (8 MB) while the lease waits: before, all of them were queued in the hub.
  const writing = (async () => {
    for (let i = 0; i < 40; i++) {
      sent++;
      if (!c.socket.write(line)) await new Promise((resolve) => c.socket.once("drain", resolve));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 800));
  peak = Math.max(peak, hub.load().bufferedBytes);
  const bound = 2 * maxLineBytes + 64 * KiB;
  t.ok(peak <= bound, `the hub held ${peak} bytes of this connection, bound ${bound}: the queue and the line being read, one read chunk`);
  const replies = await c.replies(41);
  await writing;
  t.equal(sent, 40);
  t.same(replies[0], { id: 0, result: { tasks: [] }, error: null }, "the long-poll answered first");
  t.equal(replies.filter((r) => r.error === null).length, 41, "then every pipelined request, in order");
  t.same((await c.request("stats")).result, { stats: { queued: 40, leased: 0, done: 0, failed: 0 } });
});

storeTest("all connections together stay within --max-buffered-bytes, and other clients keep being answered", async (t) => {
  const maxBufferedBytes = 1 * MiB;
  // A connection waiting for room is not read, so its close is only seen when it is read again: the idle timeout
  // (no complete request) closes what a dead or stalled sender holds.
  const hub = await startTestHub(t, { maxBufferedBytes, maxLineBytes: 4 * MiB, idleTimeoutMs: 1500 });
  const floods = Array.from({ length: 8 }, () => flood(hub.tcp.port, 3 * MiB));
  t.teardown(() => {
    for (const f of floods) f.socket.destroy();
  });
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, hub.load().bufferedBytes);
  }, 2);
  t.teardown(() => clearInterval(sampler));
  await waitFor(() => hub.load().bufferedBytes >= maxBufferedBytes, "the floods to fill the budget", 30_000);
  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.tcp.port });
  t.teardown(() => client.close());
  for (let i = 0; i < 20; i++) t.same(await client.call("enqueue", { prompt: `small ${i}` }), { task_id: i + 1 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  clearInterval(sampler);
  const bound = maxBufferedBytes + 9 * (CONNECTION_FLOOR_BYTES + 64 * KiB);
  t.ok(peak <= bound, `peak ${peak} bytes buffered, bound ${bound} (24 MiB were sent at it)`);
  for (const f of floods) f.socket.destroy();
  client.close();
  await waitFor(() => hub.load().bufferedBytes === 0 && hub.load().connections === 0, "the floods' bytes to be released", 20_000);
  const after = await HubClient.connect({ host: "127.0.0.1", port: hub.tcp.port });
  t.teardown(() => after.close());
  t.same(await after.call("stats"), { stats: { queued: 20, leased: 0, done: 0, failed: 0 } });
});

storeTest("prompts and results over their limits are refused with the limit named; nothing is stored or changed", async (t) => {
  const hub = await startTestHub(t, { maxPromptBytes: 1000, maxResultBytes: 500 });
  const c = await RawConnection.open(t, hub.tcp.port);
  const big = await c.request("enqueue", { prompt: "é".repeat(501) });
  t.equal(
    big.error?.message,
    "enqueue: the prompt is 1002 bytes, over this hub's limit of 1000 (--max-prompt-bytes); send a shorter prompt, or put the text in a file the backend reads",
  );
  t.same((await c.request("enqueue", { prompt: "x".repeat(1000) })).result, { task_id: 1 });
  t.same((await c.request("stats")).result, { stats: { queued: 1, leased: 0, done: 0, failed: 0 } }, "the refused prompt was not stored");
  t.equal(((await c.request("lease", { worker_id: "w" })).result!.tasks as unknown[]).length, 1);
  const fat = await c.request("ack", { task_id: 1, status: "done", worker_id: "w", result: { text: "r".repeat(600) } });
  t.match(fat.error?.message, /^ack: the result is 611 bytes as JSON, over this hub's limit of 500 \(--max-result-bytes\); the lease is unchanged/);
  const fatError = await c.request("ack", { task_id: 1, status: "failed", worker_id: "w", error: "e".repeat(600) });
  t.match(fatError.error?.message, /^ack: the error is 602 bytes as JSON/);
  t.match((await c.request("get", { task_id: 1 })).result!.task, { status: "leased", result: null });
  t.same((await c.request("ack", { task_id: 1, status: "done", worker_id: "w", result: "fits" })).result, { ok: true }, "acked again with less");
  const hello = (await c.request("hello")).result!;
  t.ok((hello.features as string[]).includes("limits"));
  t.match(hello.limits, { max_prompt_bytes: 1000, max_result_bytes: 500, max_line_bytes: 8 * MiB, list_text_bytes: 1024, auth_timeout_ms: 0 });
});

storeTest("a lease hands out at most --max-reply-bytes / --max-prompt-bytes tasks, whatever max_tasks asks", async (t) => {
  const hub = await startTestHub(t, { maxPromptBytes: 1000, maxReplyBytes: 4000 });
  const c = await RawConnection.open(t, hub.tcp.port);
  for (let i = 0; i < 6; i++) await c.request("enqueue", { prompt: "x".repeat(1000) });
  t.equal(((await c.request("lease", { worker_id: "w", max_tasks: 100 })).result!.tasks as unknown[]).length, 4);
  t.equal(((await c.request("lease", { worker_id: "w", max_tasks: 100 })).result!.tasks as unknown[]).length, 2, "the rest by the next lease");
  t.equal(((await c.request("hello")).result!.limits as { max_tasks_per_lease: number }).max_tasks_per_lease, 4);
});

storeTest("list cuts long texts with a marker (get returns them whole) and pages within --max-reply-bytes", async (t) => {
  const hub = await startTestHub(t, { maxReplyBytes: 256 * KiB, maxPromptBytes: 1 * MiB, maxResultBytes: 1 * MiB });
  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.tcp.port });
  t.teardown(() => client.close());
  const prompt = "p".repeat(300 * KiB);
  for (let i = 0; i < 100; i++) await client.call("enqueue", { prompt: i === 99 ? prompt : `${i} ${"s".repeat(3000)}` });
  const leased = await client.call("lease", { worker_id: "w" });
  t.same(
    leased.tasks.map((x) => x.task_id),
    [1],
  );
  await client.call("ack", { task_id: 1, status: "done", worker_id: "w", result: { answer: "r".repeat(200 * KiB) } });

  const all = await client.call("list", { limit: 0 });
  const newest = all.tasks[0]!;
  t.equal(newest.task_id, 100);
  t.same(newest.truncated, ["prompt"]);
  t.match(newest.prompt, /^p{1024}… \[cut: 307200 characters in all; `get` returns the full text\]$/);
  t.equal(((await client.call("get", { task_id: 100 })).task.prompt as string).length, prompt.length, "get: the whole prompt");
  const first = all.tasks.find((x) => x.task_id === 1);
  t.match(first, { truncated: ["prompt", "result"], result: /^\{"answer":"r+… \[cut: 204813 characters/ });
  t.same((await client.call("get", { task_id: 1 })).task.result, { answer: "r".repeat(200 * KiB) });
  t.equal(all.tasks.length, 100, "100 tasks fit in 256 KiB once cut to 1 KiB");
  t.equal(all.more, undefined);

  const small = await client.call("list", { limit: 0, text_bytes: 4 * KiB });
  t.equal(small.more, true, "texts of 4 KiB (uncut): the reply budget stops the list");
  t.ok(small.tasks.length < 100 && small.tasks.length > 0);
  t.ok(JSON.stringify(small).length <= 256 * KiB + 1024, "the reply stays within the budget");
  const seen = small.tasks.map((x) => x.task_id);
  let before = seen.at(-1);
  while (before !== undefined) {
    const page = await client.call("list", { limit: 0, text_bytes: 4 * KiB, before });
    seen.push(...page.tasks.map((x) => x.task_id));
    before = page.more ? page.tasks.at(-1)?.task_id : undefined;
  }
  t.same(
    seen,
    Array.from({ length: 100 }, (_, i) => 100 - i),
    "before reads on: every task once, newest first",
  );
  t.same(
    (await client.call("list", { limit: 3, status: "queued", before: 50, text_bytes: 10 })).tasks.map((x) => x.task_id),
    [49, 48, 47],
  );
});

storeTest("mittelo status prints a bounded table over tasks with huge prompts", async (t) => {
  const hub = await startTestHub(t, { maxPromptBytes: 4 * MiB, maxLineBytes: 16 * MiB });
  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.tcp.port });
  t.teardown(() => client.close());
  for (let i = 0; i < 5; i++) await client.call("enqueue", { prompt: `${i} ${"y".repeat(3 * MiB)}` });
  const status = await runMain(["status", "--limit", "0", "--port", String(hub.tcp.port)]);
  t.equal(status.code, 0, status.stderr);
  t.ok(status.stdout.length < 4096, `${status.stdout.length} characters printed`);
  t.match(status.stdout, /queued 5 · leased 0 · done 0 · failed 0/);
  const json = JSON.parse((await runMain(["status", "--json", "--limit", "0", "--port", String(hub.tcp.port)])).stdout) as {
    tasks: { prompt: string; truncated?: string[] }[];
  };
  t.equal(json.tasks.length, 5);
  t.ok(
    json.tasks.every((x) => x.prompt.length < 2048 && x.truncated?.includes("prompt")),
    "--json: each prompt cut to the hub's list_text_bytes",
  );
});
