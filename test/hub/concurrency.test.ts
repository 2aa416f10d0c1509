// Many concurrent workers: no task is handed to two workers while its lease is valid; every task is acked exactly once.
import type { HubClient } from "../../src/hub/client.ts";
import { connect, startTestHub, storeTest } from "../fixtures/hub/helpers.ts";

storeTest("16 workers, batches, some leases abandoned and re-leased after expiry", async (t) => {
  const hub = await startTestHub(t);
  const N = 1500;
  const W = 16;
  const producer = await connect(t, hub.tcp.port);
  // In windows of 100: on PostgreSQL each enqueue of one connection is its own commit, and a call may wait 10 s at most.
  for (let i = 0; i < N; i += 100) await Promise.all(Array.from({ length: 100 }, (_, k) => producer.call("enqueue", { prompt: `task ${i + k}` })));
  const leases = new Map<number, { worker: string; at: number; until: number }[]>();
  const acked = new Map<number, string>();
  const abandoned: { worker: HubClient; id: string; task: number }[] = [];
  let rejectedAcks = 0;
  let doubleAcks = 0;

  const work = async (i: number) => {
    const id = `w${i}`;
    const client = await connect(t, hub.tcp.port);
    while (acked.size < N) {
      const { tasks } = await client.call("lease", { worker_id: id, max_tasks: 1 + (i % 4), lease_seconds: 30, wait_ms: 100 });
      for (const task of tasks) {
        const list = leases.get(task.task_id) ?? [];
        list.push({ worker: id, at: task.updated_at, until: task.leased_until! }); // a leased task has one
        leases.set(task.task_id, list);
        if (task.task_id % 50 === 0 && task.attempts === 1) {
          // This worker "dies" holding the task: its lease is cut to 20 ms, it expires and goes to someone else.
          const { leased_until } = await client.call("extend", { task_id: task.task_id, worker_id: id, lease_seconds: 0.02 });
          list[list.length - 1]!.until = leased_until;
          abandoned.push({ worker: client, id, task: task.task_id });
          continue;
        }
        try {
          await client.call("ack", { task_id: task.task_id, status: "done", result: id, worker_id: id });
          if (acked.has(task.task_id)) doubleAcks++;
          acked.set(task.task_id, id);
        } catch {
          rejectedAcks++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: W }, (_, i) => work(i)));

  t.equal(acked.size, N, "every task acked");
  t.equal(doubleAcks, 0, "no task acked twice");
  t.equal(rejectedAcks, 0, "no live worker lost its lease");
  let overlaps = 0;
  for (const list of leases.values()) {
    for (let k = 1; k < list.length; k++) if ((list[k]?.at ?? 0) < (list[k - 1]?.until ?? 0)) overlaps++;
  }
  t.equal(overlaps, 0, "no task re-leased while its previous lease was valid");
  t.equal(abandoned.length, N / 50);
  for (const a of abandoned) {
    t.equal(leases.get(a.task)?.length, 2, `abandoned task ${a.task} was leased exactly twice`);
    await t.rejects(a.worker.call("ack", { task_id: a.task, status: "done", worker_id: a.id }), { message: /already done/ }, "late ack is rejected");
  }
  const { tasks, stats } = await producer.call("list", { limit: 0 });
  t.same(stats, { queued: 0, leased: 0, done: N, failed: 0 });
  t.ok(
    tasks.every((x) => x.result === acked.get(x.task_id)),
    "each result is from the worker whose ack was confirmed",
  );
});
