// Fencing, heartbeat (extend), attempts + dead letter, routing and priority.
import { RawConnection, startTestHub, storeTest } from "../fixtures/hub/helpers.ts";

type TaskLike = { task_id: number; status: string; worker_id: string | null; attempts: number; result: unknown; error: unknown; leased_until: number };
const tasksOf = (r: { result: Record<string, unknown> | null }) => (r.result?.tasks ?? []) as TaskLike[];

storeTest("stale ack after expiry and re-lease is rejected and changes nothing", async (t) => {
  const hub = await startTestHub(t);
  const a = await RawConnection.open(t, hub.tcp.port);
  const b = await RawConnection.open(t, hub.tcp.port);
  await a.request("enqueue", { prompt: "p" });
  t.equal(tasksOf(await a.request("lease", { worker_id: "A", lease_seconds: 0.05 })).length, 1);
  // B long-polls; the expiry timer wakes it with the expired task (no sleeps).
  const relet = tasksOf(await b.request("lease", { worker_id: "B", wait_ms: 10000 }));
  t.equal(relet[0]?.task_id, 1);
  t.equal(relet[0]?.attempts, 2);
  const stale = await a.request("ack", { task_id: 1, status: "done", worker_id: "A", result: "stale" });
  t.match(stale.error?.message, /worker "A" does not hold the lease of task 1/);
  const legacyStale = await a.request("ack", { task_id: 1, status: "done", result: "stale" });
  t.match(legacyStale.error?.message, /stale lease of task 1/);
  const sameNameStale = await a.request("ack", { task_id: 1, status: "done", worker_id: "B" });
  t.match(sameNameStale.error?.message, /stale lease of task 1/, "the connection's own older token wins over a borrowed worker_id");
  const staleExtend = await a.request("extend", { task_id: 1, worker_id: "A", lease_seconds: 10 });
  t.match(staleExtend.error?.message, /^extend: worker "A" does not hold/);
  const row = (await a.request("get", { task_id: 1 })).result!.task as TaskLike;
  t.match(row, { status: "leased", worker_id: "B", result: null });
  t.same((await b.request("ack", { task_id: 1, status: "done", worker_id: "B", result: "ok" })).result, { ok: true });
  t.match((await a.request("get", { task_id: 1 })).result!.task, { status: "done", result: "ok" });
});

storeTest("legacy ack without worker_id: works on the leasing connection, rejected on another", async (t) => {
  const hub = await startTestHub(t);
  const a = await RawConnection.open(t, hub.tcp.port);
  const b = await RawConnection.open(t, hub.tcp.port);
  await a.request("enqueue", { prompt: "1" });
  await a.request("enqueue", { prompt: "2" });
  await a.request("lease", { max_tasks: 2 });
  const other = await b.request("ack", { task_id: 1, status: "done" });
  t.match(other.error?.message, /^ack: task 1 was not leased on this connection; send the worker_id/);
  t.same((await a.request("ack", { task_id: 1, status: "done", result: "r" })).result, { ok: true });
  t.same((await b.request("ack", { task_id: 2, status: "done", worker_id: "worker" })).result, { ok: true }, "another connection with the holder's worker_id");
  t.match((await a.request("ack", { task_id: 1, status: "done" })).error?.message, /^ack: task 1 is already done$/);
  t.same((await a.request("stats")).result, { stats: { queued: 0, leased: 0, done: 2, failed: 0 } });
});

storeTest("ack errors: never leased, does not exist, already failed", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  await c.request("enqueue", { prompt: "1" });
  t.match(
    (await c.request("ack", { task_id: 1, status: "done", worker_id: "w" })).error?.message,
    /task 1 is not leased \(it is queued and was never leased\)/,
  );
  t.match((await c.request("ack", { task_id: 7, status: "done" })).error?.message, /^ack: task 7 does not exist$/);
  await c.request("lease", { worker_id: "w" });
  await c.request("ack", { task_id: 1, status: "failed", worker_id: "w", error: { kind: "timeout" } });
  t.match((await c.request("get", { task_id: 1 })).result!.task, { status: "failed", error: { kind: "timeout" } }, "error keeps its JSON type");
  t.match((await c.request("ack", { task_id: 1, status: "done", worker_id: "w" })).error?.message, /already failed/);
  t.match((await c.request("extend", { task_id: 1, worker_id: "w" })).error?.message, /^extend: task 1 is already failed/);
});

storeTest("extend moves the lease so nobody else gets the task", async (t) => {
  const hub = await startTestHub(t);
  const a = await RawConnection.open(t, hub.tcp.port);
  const b = await RawConnection.open(t, hub.tcp.port);
  await a.request("enqueue", { prompt: "long" });
  const [task] = tasksOf(await a.request("lease", { worker_id: "A", lease_seconds: 30 }));
  const ext = await a.request("extend", { task_id: 1, worker_id: "A", lease_seconds: 600 });
  const until = ext.result!.leased_until as number;
  t.ok(until > task!.leased_until, "leased_until moved forward");
  t.equal(((await a.request("get", { task_id: 1 })).result!.task as TaskLike).leased_until, until);
  t.same(tasksOf(await b.request("lease", { worker_id: "B" })), [], "not handed to a second worker");
  t.same((await a.request("extend", { task_id: 1 })).error, null, "legacy extend on the leasing connection");
  t.match((await b.request("extend", { task_id: 1, worker_id: "B" })).error?.message, /does not hold the lease/);
  t.match((await b.request("extend", { task_id: 9, worker_id: "B" })).error?.message, /^extend: task 9 does not exist/);
});

storeTest("attempts: a task whose lease keeps expiring is failed after max_attempts", async (t) => {
  const hub = await startTestHub(t, { maxAttempts: 2 });
  const c = await RawConnection.open(t, hub.tcp.port);
  await c.request("enqueue", { prompt: "poison" });
  await c.request("enqueue", { prompt: "override", max_attempts: 1 });
  const first = tasksOf(await c.request("lease", { worker_id: "w", lease_seconds: 0.05, max_tasks: 2 }));
  t.same(
    first.map((x) => [x.task_id, x.attempts]),
    [
      [1, 1],
      [2, 1],
    ],
  );
  const second = tasksOf(await c.request("lease", { worker_id: "w", lease_seconds: 0.05, wait_ms: 10000, max_tasks: 2 }));
  t.same(
    second.map((x) => [x.task_id, x.attempts]),
    [[1, 2]],
    "task 2 (max_attempts 1) is dead-lettered instead",
  );
  t.match((await c.request("get", { task_id: 2 })).result!.task, { status: "failed", error: "lease expired 1 times", max_attempts: 1 });
  // Task 1 expires a second time: the next lease (woken by the expiry) finds it dead-lettered.
  t.same(tasksOf(await c.request("lease", { worker_id: "w", wait_ms: 300 })), []);
  t.match((await c.request("get", { task_id: 1 })).result!.task, { status: "failed", error: "lease expired 2 times", attempts: 2 });
  t.same((await c.request("retry_failed")).result, { retried: 2 });
  t.match((await c.request("get", { task_id: 1 })).result!.task, { status: "queued", attempts: 0, error: null });
});

storeTest("routing: lease {backends} gets only its backend's tasks and untagged ones; priority first", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  await c.request("enqueue", { prompt: "codex", backend: "codex" }); // 1
  await c.request("enqueue", { prompt: "any" }); // 2
  await c.request("enqueue", { prompt: "echo", backend: "echo" }); // 3
  await c.request("enqueue", { prompt: "urgent echo", backend: "echo", priority: 10 }); // 4
  await c.request("enqueue", { prompt: "later", priority: -1 }); // 5
  const echo = tasksOf(await c.request("lease", { worker_id: "e", backends: ["echo"], max_tasks: 10 }));
  t.same(
    echo.map((x) => x.task_id),
    [4, 2, 3, 5],
    "priority desc, then ascending id; never codex",
  );
  const none = tasksOf(await c.request("lease", { worker_id: "n", backends: ["claude"], max_tasks: 10 }));
  t.same(none, []);
  const legacy = tasksOf(await c.request("lease", { worker_id: "l", max_tasks: 10 }));
  t.same(
    legacy.map((x) => x.task_id),
    [1],
    "a lease without backends takes anything",
  );
});

storeTest("a re-sent ack (same worker_id and lease_seq) succeeds idempotently, on any connection; any other second ack is refused", async (t) => {
  const hub = await startTestHub(t);
  const a = await RawConnection.open(t, hub.tcp.port);
  await a.request("enqueue", { prompt: "p" });
  const [task] = tasksOf(await a.request("lease", { worker_id: "A", lease_seconds: 30 })) as (TaskLike & { lease_seq: number })[];
  t.equal(task!.lease_seq, 1, "the lease returns its fencing token");
  t.same((await a.request("ack", { task_id: 1, status: "done", worker_id: "A", lease_seq: 1, result: "first" })).result, { ok: true });
  // The reply was "lost": the worker sends it again on a new connection (another hub, after a failover).
  const b = await RawConnection.open(t, hub.tcp.port);
  t.same((await b.request("ack", { task_id: 1, status: "done", worker_id: "A", lease_seq: 1, result: "again" })).result, { ok: true, repeated: true });
  t.match((await b.request("get", { task_id: 1 })).result!.task, { status: "done", result: "first", lease_seq: 1 }, "the first ack stands");
  t.match((await b.request("ack", { task_id: 1, status: "done", worker_id: "A" })).error?.message, /^ack: task 1 is already done$/, "no lease_seq: refused");
  t.match((await b.request("ack", { task_id: 1, status: "done", worker_id: "B", lease_seq: 1 })).error?.message, /already done/, "another worker");
  t.match((await b.request("ack", { task_id: 1, status: "done", worker_id: "A", lease_seq: 2 })).error?.message, /already done/, "another lease");
  t.match((await b.request("ack", { task_id: 1, status: "failed", worker_id: "A", lease_seq: 1 })).error?.message, /already done/, "another status");
  t.match((await b.request("ack", { task_id: 1, status: "done", lease_seq: 0 })).error?.message, /^ack: lease_seq must be/, "validated");
  // A stale holder's ack with its lease_seq, after the task was leased again, is refused too.
  await a.request("enqueue", { prompt: "q" });
  tasksOf(await a.request("lease", { worker_id: "A", lease_seconds: 0.05 }));
  const relet = tasksOf(await b.request("lease", { worker_id: "A", wait_ms: 10000 })) as (TaskLike & { lease_seq: number })[];
  t.equal(relet[0]?.lease_seq, 2);
  t.match((await b.request("ack", { task_id: 2, status: "done", worker_id: "A", lease_seq: 1 })).error?.message, /stale lease of task 2/);
  t.same((await b.request("extend", { task_id: 2, worker_id: "A", lease_seq: 2, lease_seconds: 30 })).error, null, "extend by lease_seq");
  t.same((await b.request("ack", { task_id: 2, status: "done", worker_id: "A", lease_seq: 2 })).result, { ok: true });
});

storeTest("ack-lease: an ack may carry the next lease; a refused ack leases nothing", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  t.ok(((await c.request("hello")).result!.features as string[]).includes("ack-lease"));
  for (const p of ["1", "2", "3"]) await c.request("enqueue", { prompt: p });
  const [first] = tasksOf(await c.request("lease", { worker_id: "A" })) as (TaskLike & { lease_seq: number })[];
  const r = await c.request("ack", { task_id: first!.task_id, worker_id: "A", lease_seq: first!.lease_seq, status: "done", lease: { max_tasks: 1 } });
  t.equal(r.error, null, JSON.stringify(r.error));
  const next = r.result!.tasks as (TaskLike & { lease_seq: number })[];
  t.same(
    next.map((x) => [x.task_id, x.worker_id, x.status]),
    [[2, "A", "leased"]],
    "the next task, leased to the ack's worker",
  );
  const refused = await c.request("ack", { task_id: first!.task_id, worker_id: "B", status: "done", lease: { max_tasks: 5 } });
  t.match(refused.error?.message, /already done/);
  t.match((await c.request("get", { task_id: 3 })).result!.task, { status: "queued" }, "a refused ack leased nothing");
  const bad = await c.request("ack", { task_id: 2, worker_id: "A", status: "done", lease: { max_tasks: 0 } });
  t.match(bad.error?.message, /^ack: lease must be an object of lease params/);
  const last = await c.request("ack", { task_id: 2, worker_id: "A", status: "done", lease: { worker_id: "C", max_tasks: 5 } });
  t.same(
    (last.result!.tasks as TaskLike[]).map((x) => [x.task_id, x.worker_id]),
    [[3, "C"]],
  );
  t.same((await c.request("ack", { task_id: 3, worker_id: "C", status: "done", lease: {} })).result, { ok: true, tasks: [] }, "empty queue: no tasks");
});
