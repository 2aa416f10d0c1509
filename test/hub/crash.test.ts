// kill -9 of a hub process mid-run, then a restart on the same database: no confirmed enqueue or ack is lost,
// leases outstanding at the crash are reported and re-leased once expired.
import { HubClient } from "../../src/hub/client.ts";
import { spawnHub, storeTest, testDb } from "../fixtures/hub/helpers.ts";

storeTest("kill -9 mid-run, restart on the same DB", async (t) => {
  const db = await testDb(t);
  const first = await spawnHub(t, ["--db", db]);
  const producer = await HubClient.connect({ host: "127.0.0.1", port: first.port });
  const worker = await HubClient.connect({ host: "127.0.0.1", port: first.port });
  const enqueued = new Set<number>();
  const acked = new Map<number, string>();
  const held = new Set<number>(); // leased, not acked when the hub died

  let running = true;
  const produce = (async () => {
    while (running) {
      const batch = Array.from({ length: 20 }, (_, i) => producer.call("enqueue", { prompt: `p${i}` }).then((r) => enqueued.add(r.task_id)));
      await Promise.all(batch).catch(() => {
        running = false;
      });
    }
  })();
  const consume = (async () => {
    while (running) {
      try {
        const { tasks } = await worker.call("lease", { worker_id: "w", max_tasks: 10, lease_seconds: 0.3, wait_ms: 100 });
        for (const task of tasks) held.add(task.task_id);
        for (const task of tasks.slice(0, 7)) {
          await worker.call("ack", { task_id: task.task_id, status: "done", result: `r${task.task_id}` });
          acked.set(task.task_id, `r${task.task_id}`);
          held.delete(task.task_id);
        }
      } catch {
        running = false;
      }
    }
  })();
  while (acked.size < 300 && running) await new Promise((resolve) => setImmediate(resolve));
  first.child.kill("SIGKILL");
  t.equal(await first.exited, "SIGKILL");
  await Promise.all([produce, consume]);
  producer.close();
  worker.close();
  t.ok(enqueued.size >= 300 && acked.size >= 300, `work was confirmed before the crash (${enqueued.size} enqueued, ${acked.size} acked)`);

  const second = await spawnHub(t, ["--db", db]);
  t.match(second.stderr(), /lease\(s\) outstanding/, "the restarted hub reports outstanding leases");
  const client = await HubClient.connect({ host: "127.0.0.1", port: second.port });
  t.teardown(() => client.close());
  const { tasks } = await client.call("list", { limit: 0 });
  const byId = new Map(tasks.map((x) => [x.task_id, x]));
  t.ok(
    [...enqueued].every((id) => byId.has(id)),
    "every confirmed enqueue survived",
  );
  t.ok(
    [...acked].every(([id, result]) => byId.get(id)?.status === "done" && byId.get(id)?.result === result),
    "every confirmed ack survived",
  );
  const stillLeased = tasks.filter((x) => x.status === "leased").map((x) => x.task_id);
  t.ok(stillLeased.length > 0, "some leases were outstanding at the crash");
  t.ok(
    [...held].filter((id) => byId.get(id)?.status !== "done").every((id) => stillLeased.includes(id)),
    "unacked leases are still leased",
  );
  // Their leases expire (0.3 s); a long-poll lease is woken by the expiry and gets them back.
  const relet = new Set<number>();
  while (relet.size < stillLeased.length) {
    const got = await client.call("lease", { worker_id: "after", max_tasks: 1000, wait_ms: 5000, backends: [] });
    const ids = got.tasks.map((x) => x.task_id).filter((id) => stillLeased.includes(id));
    for (const id of ids) relet.add(id);
    for (const x of got.tasks) await client.call("ack", { task_id: x.task_id, status: "done", worker_id: "after" });
  }
  t.equal(relet.size, stillLeased.length, "every expired lease was re-leased");
  await client.call("shutdown");
  t.equal(await second.exited, 0, "graceful shutdown exits 0");
});
