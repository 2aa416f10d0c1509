// Hub benchmark: N tasks, W workers, batch B against a real hub process; prints enqueue/s, completed tasks/s,
// p50/p99 of lease and ack round trips and of the lease+ack cycle, and checks the exactly-once invariant.
// Run: npm run bench:hub -- --n 2000 --workers 4 --batch 1 [--prefill 20000] [--window 64] [--cpu-prof DIR]
//   (= node --import tsx bench/hub.mjs …)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { HubClient } from "../src/hub/client.ts";
import { openDb } from "../src/hub/store/db.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "2000" },
    workers: { type: "string", default: "4" },
    batch: { type: "string", default: "1" },
    prefill: { type: "string", default: "0" },
    window: { type: "string", default: "64" },
    json: { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    reference: { type: "string" },
  },
});
const N = Number(values.n);
const W = Number(values.workers);
const B = Number(values.batch);
const PREFILL = Number(values.prefill);
const WINDOW = Number(values.window);

const dir = mkdtempSync(join(tmpdir(), "mittelo-bench-"));
const dbPath = join(dir, "bench.db");
let hub;
try {
  if (PREFILL > 0) prefill(dbPath, PREFILL);
  hub = await startHubProcess(dbPath);
  const result = await run(hub.port);
  if (values.json) console.log(JSON.stringify(result));
  else print(result);
  process.exitCode = result.exactlyOnce ? 0 : 1;
} finally {
  hub?.child.kill("SIGTERM");
  await hub?.exited;
  rmSync(dir, { recursive: true, force: true });
}

/** Writes `count` done tasks straight into the database (before the hub starts). */
function prefill(path, count) {
  const db = openDb(path);
  const now = Date.now() / 1000;
  const insert = db.prepare(
    "INSERT INTO tasks (prompt, status, created_at, updated_at, worker_id, result_json, attempts) VALUES (?, 'done', ?, ?, 'old', '\"ok\"', 1)",
  );
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(`old task ${i}`, now, now);
  })();
  db.close();
}

function startHubProcess(path) {
  const bin = new URL("../bin/mittelo.mjs", import.meta.url).pathname;
  // --cpu-prof DIR: the hub writes a V8 CPU profile there on exit (open it in Chrome DevTools).
  const prof = values["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", values["cpu-prof"]] : [];
  const child = values.reference
    ? spawn("python3", ["-m", "mittelo", "hub", "--port", "0", "--print-url", "--db", path], { cwd: values.reference, stdio: ["ignore", "pipe", "inherit"] })
    : spawn(process.execPath, [...prof, bin, "hub", "--port", "0", "--print-url", "--db", path], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /MITTELO_HUB tcp:\/\/[^\s]+:(\d+)/.exec(out);
      if (m) resolve({ child, exited, port: Number(m[1]) });
    });
    exited.then((code) => reject(new Error(`hub exited ${code}`)));
  });
}

async function run(port) {
  const connect = () => HubClient.connect({ host: "127.0.0.1", port });
  const producer = await connect();

  // Enqueue: one request at a time (like a simple client), then pipelined with WINDOW in flight.
  const seqCount = Math.min(N, 1000);
  let t0 = performance.now();
  for (let i = 0; i < seqCount; i++) await producer.call("enqueue", { prompt: `warm ${i}` });
  const enqueueSequential = seqCount / ((performance.now() - t0) / 1000);
  // Those warm-up tasks are drained before the measured run.
  await drain(producer, seqCount);

  const ids = [];
  t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(WINDOW, N) }, async () => {
      while (next < N) {
        const i = next++;
        ids[i] = (await producer.call("enqueue", { prompt: `task ${i}` })).task_id;
      }
    }),
  );
  const enqueuePipelined = N / ((performance.now() - t0) / 1000);

  // Workers: lease B, ack each; record round trips.
  const leaseRtt = [];
  const ackRtt = [];
  const cycle = [];
  const ackedBy = new Map();
  let ackErrors = 0;
  let doubleLease = 0;
  let done = 0;
  const workers = await Promise.all(Array.from({ length: W }, () => connect()));
  t0 = performance.now();
  await Promise.all(
    workers.map(async (client, w) => {
      while (done < N) {
        const a = performance.now();
        const { tasks } = await client.call("lease", { worker_id: `w${w}`, max_tasks: B, wait_ms: 50 });
        const leased = performance.now() - a;
        leaseRtt.push(leased);
        for (const task of tasks) {
          if (ackedBy.has(task.task_id)) doubleLease++;
          const b = performance.now();
          try {
            await client.call("ack", { task_id: task.task_id, status: "done", result: `w${w}`, worker_id: `w${w}` });
            ackedBy.set(task.task_id, `w${w}`);
            done++;
          } catch {
            ackErrors++;
          }
          const acked = performance.now() - b;
          ackRtt.push(acked);
          if (B === 1) cycle.push(leased + acked);
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const { stats } = await producer.call("stats");
  const exactlyOnce = ackErrors === 0 && doubleLease === 0 && ackedBy.size === N && ids.every((id) => ackedBy.has(id)) && stats.done === N + seqCount + PREFILL;
  for (const c of [producer, ...workers]) c.close();
  return {
    n: N,
    workers: W,
    batch: B,
    prefill: PREFILL,
    enqueuePerSecSequential: Math.round(enqueueSequential),
    enqueuePerSecPipelined: Math.round(enqueuePipelined),
    completedPerSec: Math.round(N / elapsed),
    leaseMs: { p50: pct(leaseRtt, 50), p99: pct(leaseRtt, 99) },
    ackMs: { p50: pct(ackRtt, 50), p99: pct(ackRtt, 99) },
    cycleMs: cycle.length ? { p50: pct(cycle, 50), p99: pct(cycle, 99) } : null,
    exactlyOnce,
    stats,
  };
}

async function drain(client, count) {
  let left = count;
  while (left > 0) {
    const { tasks } = await client.call("lease", { worker_id: "warm", max_tasks: 100 });
    await Promise.all(tasks.map((t) => client.call("ack", { task_id: t.task_id, status: "done" })));
    left -= tasks.length;
  }
}

function pct(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(3));
}

function print(r) {
  console.log(`hub bench: N=${r.n} W=${r.workers} B=${r.batch} prefill(done)=${r.prefill}`);
  console.log(`  enqueue/s        ${r.enqueuePerSecSequential} (one at a time)  ${r.enqueuePerSecPipelined} (pipelined)`);
  console.log(`  completed/s      ${r.completedPerSec}`);
  console.log(`  lease RTT ms     p50 ${r.leaseMs.p50}  p99 ${r.leaseMs.p99}`);
  console.log(`  ack RTT ms       p50 ${r.ackMs.p50}  p99 ${r.ackMs.p99}`);
  if (r.cycleMs) console.log(`  lease+ack ms     p50 ${r.cycleMs.p50}  p99 ${r.cycleMs.p99}`);
  console.log(`  exactly-once     ${r.exactlyOnce ? "ok" : "VIOLATED"} (${JSON.stringify(r.stats)})`);
}
