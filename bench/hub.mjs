// Hub benchmark: N tasks, W workers, batch B against real hub processes; prints enqueue/s, completed tasks/s,
// p50/p99 of lease and ack round trips and of the lease+ack cycle, the enqueue → lease wake-up latency (from one hub
// to a lease waiting on another, with --hubs 2), and checks the exactly-once invariant.
// Run: npm run bench:hub -- --n 2000 --workers 4 --batch 1 [--prefill 100000] [--window 64] [--wakeups 200] [--cpu-prof DIR]
//        [--db postgres://…  |  --pg (a throwaway PostgreSQL cluster, fsync on)] [--pg-async-commit] [--hubs 2]
//        [--reference DIR] [--ack-lease | --pipeline] [--json]
//   (= node --import tsx bench/hub.mjs …). --reference DIR runs `python3 -m mittelo hub` from DIR (the reference
//   Python hub) instead of ours, with the same client and the same checks.
// Method: 1,000 tasks are enqueued one at a time, then done by the workers in the measured pattern, unmeasured (the
// hub's warm-up); then N tasks are enqueued pipelined and done by the workers, measured. completed/s is N over the time
// to the N-th ack. A lease that came back empty (it waited out its wait_ms at the end of the run) is not a round trip.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { HubClient } from "../src/hub/client.ts";
import { openDb } from "../src/hub/store/sqlite/db.ts";
import { startCluster } from "../test/helpers/pg.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "2000" },
    workers: { type: "string", default: "4" },
    batch: { type: "string", default: "1" },
    prefill: { type: "string", default: "0" },
    window: { type: "string", default: "64" },
    hubs: { type: "string", default: "1" },
    wakeups: { type: "string", default: "200" },
    db: { type: "string" },
    pg: { type: "boolean", default: false },
    "pg-async-commit": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    reference: { type: "string" },
    "ack-lease": { type: "boolean", default: false },
    pipeline: { type: "boolean", default: false },
  },
});
const N = Number(values.n);
const W = Number(values.workers);
const B = Number(values.batch);
const PREFILL = Number(values.prefill);
const WINDOW = Number(values.window);
const HUBS = Number(values.hubs);
const WAKEUPS = Number(values.wakeups);

const dir = mkdtempSync(join(tmpdir(), "mittelo-bench-"));
let cluster;
const hubs = [];
try {
  if (values.pg) cluster = await startCluster({ durable: true });
  let db = values.db ?? (cluster ? await cluster.createDatabase() : join(dir, "bench.db"));
  // --pg-async-commit: the hubs' connections commit without waiting for the WAL flush (?synchronous_commit=off in the
  // URL): a hub crash still loses nothing, a crash of the PostgreSQL server may lose the last fraction of a second.
  if (values["pg-async-commit"]) db += `${db.includes("?") ? "&" : "?"}synchronous_commit=off`;
  const kind = db.startsWith("postgres") ? "postgres" : "sqlite";
  if (HUBS > 1 && kind !== "postgres") throw new Error("--hubs > 1 needs a PostgreSQL --db (or --pg)");
  hubs.push(await startHubProcess(db));
  if (PREFILL > 0) await prefill(kind, db, PREFILL);
  for (let i = 1; i < HUBS; i++) hubs.push(await startHubProcess(db));
  const result = {
    store: values.reference ? "reference" : kind,
    hubs: HUBS,
    ackLease: values["ack-lease"],
    pipeline: values.pipeline,
    ...(await run(hubs.map((h) => h.port))),
  };
  if (values.json) console.log(JSON.stringify(result));
  else print(result);
  process.exitCode = result.exactlyOnce ? 0 : 1;
} finally {
  for (const hub of hubs) hub.child.kill("SIGTERM");
  await Promise.all(hubs.map((h) => h.exited));
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Writes `count` done tasks straight into the database (the hub has created the schema). */
async function prefill(kind, db, count) {
  const now = Date.now() / 1000;
  if (kind === "postgres") {
    const sql = postgres(db, { max: 1, onnotice: () => {} });
    await sql`
      INSERT INTO tasks (prompt, status, created_at, updated_at, worker_id, result_json, attempts, lease_seq)
      SELECT 'old task ' || i, 'done', ${now}::float8, ${now}::float8, 'old', '"ok"', 1, 1 FROM generate_series(1, ${count}::int) i`;
    await sql`VACUUM ANALYZE tasks`;
    await sql.end();
    return;
  }
  const sqlite = openDb(db);
  const insert = sqlite.prepare(
    "INSERT INTO tasks (prompt, status, created_at, updated_at, worker_id, result_json, attempts, lease_seq) VALUES (?, 'done', ?, ?, 'old', '\"ok\"', 1, 1)",
  );
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(`old task ${i}`, now, now);
  })();
  sqlite.close();
}

function startHubProcess(db) {
  const bin = new URL("../bin/mittelo.mjs", import.meta.url).pathname;
  // --cpu-prof DIR: the hub writes a V8 CPU profile there on exit (open it in Chrome DevTools).
  const prof = values["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", values["cpu-prof"]] : [];
  const child = values.reference
    ? spawn("python3", ["-m", "mittelo", "hub", "--port", "0", "--print-url", "--db", db], { cwd: values.reference, stdio: ["ignore", "pipe", "inherit"] })
    : spawn(process.execPath, [...prof, bin, "hub", "--port", "0", "--print-url", "--db", db], { stdio: ["ignore", "pipe", "ignore"] });
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

async function run(ports) {
  const connect = (port) => HubClient.connect({ host: "127.0.0.1", port });
  const producer = await connect(ports[0]);

  // Enqueue: one request at a time (like a simple client), then pipelined with WINDOW in flight.
  const seqCount = Math.min(N, 1000);
  let t0 = performance.now();
  for (let i = 0; i < seqCount; i++) await producer.call("enqueue", { prompt: `warm ${i}` });
  const enqueueSequential = seqCount / ((performance.now() - t0) / 1000);
  // Workers (spread over the hubs). They first do those 1,000 warm-up tasks in the measured pattern, unmeasured, so the
  // measured run is the hub's steady state, not its JIT warm-up.
  const workers = await Promise.all(Array.from({ length: W }, (_, w) => connect(ports[w % ports.length])));
  await work(workers, seqCount);

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

  // The measured run: lease B, ack each; record round trips.
  const { elapsed, leaseRtt, ackRtt, cycle, ackedBy, ackErrors, doubleLease } = await work(workers, N);
  const { stats } = await producer.call("stats");
  const exactlyOnce = ackErrors === 0 && doubleLease === 0 && ackedBy.size === N && ids.every((id) => ackedBy.has(id)) && stats.done === N + seqCount + PREFILL;
  for (const c of workers) c.close();
  const wakeup = values.reference ? null : await wakeups(producer, await connect(ports[ports.length - 1]));
  producer.close();
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
    wakeupMs: wakeup,
    exactlyOnce,
    stats,
  };
}

/**
 * W workers take `target` tasks off the queue: lease B, ack each (or as --ack-lease / --pipeline say). The elapsed time
 * ends at the last ack: a worker still waiting in a long-poll lease for a task that will not come does not count.
 */
async function work(workers, target) {
  const leaseRtt = [];
  const ackRtt = [];
  const cycle = [];
  const ackedBy = new Map();
  let ackErrors = 0;
  let doubleLease = 0;
  let done = 0;
  let finished = 0;
  const completed = () => {
    done++;
    if (done === target) finished = performance.now();
  };
  const t0 = performance.now();
  const ACK_LEASE = values["ack-lease"];
  const PIPELINE = values.pipeline;
  await Promise.all(
    workers.map(async (client, w) => {
      // --pipeline: as `mittelo agent` does, the acks of the tasks in hand go out without waiting, followed by the next
      // lease on the same connection (the hub answers in order): one round trip per batch. The cycle is from sending
      // them to the last reply.
      if (PIPELINE) {
        let inHand = [];
        while (done < target) {
          const a = performance.now();
          const acks = inHand.map((task) =>
            client.call("ack", { task_id: task.task_id, status: "done", result: `w${w}`, worker_id: `w${w}`, lease_seq: task.lease_seq }).then(
              () => {
                ackedBy.set(task.task_id, `w${w}`);
                completed();
                ackRtt.push(performance.now() - a);
              },
              () => ackErrors++,
            ),
          );
          const lease = client.call("lease", { worker_id: `w${w}`, max_tasks: B, wait_ms: 50 });
          const [{ tasks }] = await Promise.all([lease, ...acks]);
          const rtt = performance.now() - a;
          if (tasks.length > 0) leaseRtt.push(rtt); // an empty reply waited out wait_ms: not a round trip
          if (B === 1 && inHand.length === 1 && tasks.length > 0) cycle.push(rtt);
          for (const task of tasks) if (ackedBy.has(task.task_id)) doubleLease++;
          inHand = tasks;
        }
        return;
      }
      // --ack-lease: each ack carries the next lease (protocol feature ack-lease): one request per task at B=1.
      let carried = [];
      while (done < target) {
        if (ACK_LEASE && carried.length > 0) {
          const tasks = carried;
          carried = [];
          for (const [k, task] of tasks.entries()) {
            if (ackedBy.has(task.task_id)) doubleLease++;
            const b = performance.now();
            const last = k === tasks.length - 1;
            try {
              const reply = await client.call("ack", {
                task_id: task.task_id,
                status: "done",
                result: `w${w}`,
                worker_id: `w${w}`,
                lease_seq: task.lease_seq,
                ...(last ? { lease: { max_tasks: B } } : {}),
              });
              ackedBy.set(task.task_id, `w${w}`);
              completed();
              if (last) carried = reply.tasks ?? [];
            } catch {
              ackErrors++;
            }
            const rtt = performance.now() - b;
            ackRtt.push(rtt);
            if (B === 1) cycle.push(rtt);
          }
          continue;
        }
        const a = performance.now();
        const { tasks } = await client.call("lease", { worker_id: `w${w}`, max_tasks: B, wait_ms: 50 });
        const leased = performance.now() - a;
        if (tasks.length > 0) leaseRtt.push(leased); // an empty reply waited out wait_ms: not a round trip
        if (ACK_LEASE) {
          carried = tasks;
          continue;
        }
        for (const task of tasks) {
          if (ackedBy.has(task.task_id)) doubleLease++;
          const b = performance.now();
          try {
            await client.call("ack", { task_id: task.task_id, status: "done", result: `w${w}`, worker_id: `w${w}` });
            ackedBy.set(task.task_id, `w${w}`);
            completed();
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
  return { elapsed: (finished - t0) / 1000, leaseRtt, ackRtt, cycle, ackedBy, ackErrors, doubleLease };
}

/**
 * Enqueue → lease wake-up: a lease waits (long-poll) on the last hub; once it is parked, a task is enqueued on the
 * first hub; the time from sending the enqueue to receiving the lease reply. Across hubs with --hubs 2.
 */
async function wakeups(producer, waiter) {
  const times = [];
  const enqueued = [];
  for (let i = 0; i < WAKEUPS; i++) {
    const leased = waiter.call("lease", { worker_id: "waker", wait_ms: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 15)); // parked by then (a lease on an empty queue takes < 1 ms)
    const t = performance.now();
    await producer.call("enqueue", { prompt: `wake ${i}` });
    enqueued.push(performance.now() - t);
    const { tasks } = await leased;
    times.push(performance.now() - t);
    if (tasks.length !== 1) throw new Error("the waiting lease got no task");
    await waiter.call("ack", { task_id: tasks[0].task_id, status: "done", worker_id: "waker" });
  }
  waiter.close();
  // The enqueue's own round trip (its commit) is part of every wake-up: the floor under it.
  return { p50: pct(times, 50), p99: pct(times, 99), enqueueP50: pct(enqueued, 50), enqueueP99: pct(enqueued, 99) };
}

function pct(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(3));
}

function print(r) {
  console.log(
    `hub bench: ${r.store} ×${r.hubs} hub(s) N=${r.n} W=${r.workers} B=${r.batch} prefill(done)=${r.prefill}${r.ackLease ? " ack-lease" : ""}${r.pipeline ? " pipelined (ack + next lease together)" : ""}`,
  );
  console.log(`  enqueue/s        ${r.enqueuePerSecSequential} (one at a time)  ${r.enqueuePerSecPipelined} (pipelined)`);
  console.log(`  completed/s      ${r.completedPerSec}`);
  console.log(`  lease RTT ms     p50 ${r.leaseMs.p50}  p99 ${r.leaseMs.p99}`);
  console.log(`  ack RTT ms       p50 ${r.ackMs.p50}  p99 ${r.ackMs.p99}`);
  if (r.cycleMs) console.log(`  lease+ack ms     p50 ${r.cycleMs.p50}  p99 ${r.cycleMs.p99}`);
  if (r.wakeupMs?.p50 != null) {
    console.log(`  wake-up ms       p50 ${r.wakeupMs.p50}  p99 ${r.wakeupMs.p99} (enqueue on the first hub → lease waiting on the last)`);
    console.log(`    of which the enqueue's own round trip: p50 ${r.wakeupMs.enqueueP50}  p99 ${r.wakeupMs.enqueueP99}`);
  }
  console.log(`  exactly-once     ${r.exactlyOnce ? "ok" : "VIOLATED"} (${JSON.stringify(r.stats)})`);
}
