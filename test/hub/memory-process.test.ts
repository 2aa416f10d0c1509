// The acceptance test of the hub's memory budget (issue 11 §3), on a real `mittelo hub` process and both stores: under
// 40 connections each sending 8 MB without a newline, and under 1 MiB lines pipelined behind a long-poll (64 MB), its resident
// memory (VmHWM from /proc/<pid>/status, the peak) grows by less than 128 MB and another client keeps being answered.
// Linux only (/proc); bench/hub-memory.mjs measures the same attacks with figures.
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import { HubClient } from "../../src/hub/client.ts";
import { spawnHub, storeTest, testDb } from "../fixtures/hub/helpers.ts";

const MB = 1024 * 1024;
const GROWTH_BOUND_MB = 128;
/** One connection may hold one line (8 MiB by default) and 1 MiB of unread replies: far less than the flood's bound. */
const PIPELINE_BOUND_MB = 64;
const hasProc = existsSync("/proc/self/status");

/** Resident memory now and at its peak, in MiB. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Writes `bytes` to a socket as fast as it takes them, until `deadline`. */
async function write(socket: net.Socket, bytes: Buffer, times: number, deadline: number): Promise<number> {
  let sent = 0;
  for (let i = 0; i < times && Date.now() < deadline && !socket.destroyed; i++) {
    sent += bytes.length;
    if (!socket.write(bytes)) await Promise.race([new Promise((resolve) => socket.once("drain", resolve)), sleep(Math.max(0, deadline - Date.now()))]);
  }
  return sent;
}

/** Calls `stats` every 100 ms until stopped: how many were answered, and the first failure. */
function probe(client: HubClient): { stop(): Promise<{ answered: number; failure?: string }> } {
  let stopped = false;
  let answered = 0;
  let failure: string | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        await client.call("stats");
        answered++;
      } catch (error) {
        failure = (error as Error).message;
        return;
      }
      await sleep(100);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return failure === undefined ? { answered } : { answered, failure };
    },
  };
}

storeTest("40 connections × 8 MB without a newline: the hub's RSS grows < 128 MB and it keeps answering", async (t) => {
  if (!hasProc) return void t.plan(0, "no /proc on this platform");
  const hub = await spawnHub(t, ["--db", await testDb(t)]);
  const pid = hub.child.pid as number;
  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.port, timeoutMs: 60_000 });
  t.teardown(() => client.close());
  await client.call("enqueue", { prompt: "warm up" });
  const before = memory(pid);
  const prober = probe(client);
  const sockets = await Promise.all(Array.from({ length: 40 }, () => open(hub.port)));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
  });
  for (const s of sockets) s.on("error", () => {});
  const chunk = Buffer.alloc(64 * 1024, "x");
  const deadline = Date.now() + 10_000;
  const sent = (await Promise.all(sockets.map((s) => write(s, chunk, Math.ceil(8_000_000 / chunk.length), deadline)))).reduce((a, b) => a + b, 0);
  await sleep(1000);
  const after = memory(pid);
  const probed = await prober.stop();
  const growth = after.hwm - before.rss;
  t.ok(
    growth < GROWTH_BOUND_MB,
    `RSS ${before.rss.toFixed(0)} → peak ${after.hwm.toFixed(0)} MiB: +${growth.toFixed(0)} MiB (${(sent / MB).toFixed(0)} MiB sent)`,
  );
  t.equal(probed.failure, undefined, "the probe never failed");
  t.ok(probed.answered > 0, `another client's stats answered ${probed.answered} times during the flood`);
  t.same(await client.call("stats"), { stats: { queued: 1, leased: 0, done: 0, failed: 0 } }, "and after it");
});

storeTest("1 MiB lines pipelined behind a long-poll: the hub's RSS grows < 64 MB", async (t) => {
  if (!hasProc) return void t.plan(0, "no /proc on this platform");
  const hub = await spawnHub(t, ["--db", await testDb(t)]);
  const pid = hub.child.pid as number;
  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.port, timeoutMs: 60_000 });
  t.teardown(() => client.close());
  await client.call("stats");
  const before = memory(pid);
  const socket = await open(hub.port);
  t.teardown(() => socket.destroy());
  socket.on("error", () => {});
  socket.write(`${JSON.stringify({ id: 0, method: "lease", params: { wait_ms: 3_600_000, backends: ["nobody"] } })}\n`);
  const line = Buffer.from(`${JSON.stringify({ id: 1, method: "enqueue", params: { prompt: "y".repeat(MB) } })}\n`);
  const sent = await write(socket, line, 500, Date.now() + 8_000);
  await sleep(1000);
  const after = memory(pid);
  const growth = after.hwm - before.rss;
  t.ok(
    growth < PIPELINE_BOUND_MB,
    `RSS ${before.rss.toFixed(0)} → peak ${after.hwm.toFixed(0)} MiB: +${growth.toFixed(0)} MiB (${(sent / MB).toFixed(0)} MiB sent)`,
  );
  t.same(await client.call("stats"), { stats: { queued: 0, leased: 0, done: 0, failed: 0 } }, "another client is answered meanwhile");
});
