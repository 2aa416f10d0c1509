// Long-poll: a waiting lease is answered by an enqueue/retry on another connection, or times out empty.
import { RawConnection, startTestHub, waitFor, storeTest } from "../fixtures/hub/helpers.ts";

storeTest("a waiting lease is answered when a task is enqueued on another connection", async (t) => {
  const hub = await startTestHub(t);
  const worker = await RawConnection.open(t, hub.tcp.port);
  const producer = await RawConnection.open(t, hub.tcp.port);
  worker.send('{"id":"w","method":"lease","params":{"worker_id":"w","wait_ms":30000}}\n');
  await waitFor(() => hub.hub.longPoll.size === 1, "the lease is parked");
  // Other connections keep being served while the lease waits.
  await t.resolves(producer.request("stats"));
  await t.resolves(producer.request("hello"));
  const enq = await producer.request("enqueue", { prompt: "wake up" });
  const [reply] = await worker.replies(1);
  t.equal(reply!.id, "w");
  t.equal((reply!.result!.tasks as { task_id: number }[])[0]?.task_id, enq.result!.task_id);
});

storeTest("a waiting lease times out with no tasks", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  t.same(await c.request("lease", { wait_ms: 50 }), { id: 1, result: { tasks: [] }, error: null });
});

storeTest("replies stay in order behind a waiting lease (pipelined)", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  const other = await RawConnection.open(t, hub.tcp.port);
  c.send('{"id":1,"method":"lease","params":{"wait_ms":30000}}\n{"id":2,"method":"stats"}\n');
  await other.request("enqueue", { prompt: "x" });
  const r = await c.replies(2);
  t.same(
    r.map((x) => x.id),
    [1, 2],
  );
  t.same(r[1]!.result, { stats: { queued: 0, leased: 1, done: 0, failed: 0 } });
});

storeTest("retry_failed wakes waiters; routed waiters only get their tasks; one task goes to one waiter", async (t) => {
  const hub = await startTestHub(t);
  const ctl = await RawConnection.open(t, hub.tcp.port);
  const echo = await RawConnection.open(t, hub.tcp.port);
  const codex = await RawConnection.open(t, hub.tcp.port);
  const any = await RawConnection.open(t, hub.tcp.port);
  await ctl.request("enqueue", { prompt: "f", backend: "codex" });
  await ctl.request("lease", { worker_id: "x" });
  await ctl.request("ack", { task_id: 1, status: "failed" });
  echo.send('{"id":"e","method":"lease","params":{"backends":["echo"],"wait_ms":30000}}\n');
  codex.send('{"id":"c","method":"lease","params":{"backends":["codex"],"wait_ms":30000}}\n');
  await waitFor(() => hub.hub.longPoll.size === 2, "two parked leases");
  await ctl.request("retry_failed");
  const [c] = await codex.replies(1);
  t.equal((c!.result!.tasks as { task_id: number }[])[0]?.task_id, 1);
  any.send('{"id":"a","method":"lease","params":{"wait_ms":30000}}\n');
  await waitFor(() => hub.hub.longPoll.size === 2, "echo and any parked");
  await ctl.request("enqueue", { prompt: "for echo", backend: "echo" });
  const [e] = await echo.replies(1);
  t.equal((e!.result!.tasks as { task_id: number }[])[0]?.task_id, 2, "the echo waiter (first in line) gets the echo task");
  await ctl.request("enqueue", { prompt: "anyone" });
  const [a] = await any.replies(1);
  t.equal((a!.result!.tasks as { task_id: number }[])[0]?.task_id, 3);
});

storeTest("shutdown answers waiting leases with no tasks", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  c.send('{"id":1,"method":"lease","params":{"wait_ms":60000}}\n');
  const other = await RawConnection.open(t, hub.tcp.port);
  await other.request("stats");
  const closing = hub.close();
  const [r] = await c.replies(1);
  t.same(r, { id: 1, result: { tasks: [] }, error: null });
  await closing;
  await c.waitClosed();
});

storeTest("workers: who waits in a long-poll and who holds which lease", async (t) => {
  const hub = await startTestHub(t);
  const ctl = await RawConnection.open(t, hub.tcp.port);
  const idle = await RawConnection.open(t, hub.tcp.port);
  t.same((await ctl.request("workers")).result, { workers: [] }, "nobody yet");
  await ctl.request("enqueue", { prompt: "held" });
  await ctl.request("lease", { worker_id: "busy", max_tasks: 5 });
  idle.send('{"id":"i","method":"lease","params":{"worker_id":"idle","wait_ms":30000}}\n');
  await waitFor(() => hub.hub.longPoll.size === 1, "the idle lease is parked");
  t.same((await ctl.request("workers")).result, {
    workers: [
      { worker_id: "busy", waiting: false, tasks: [1] },
      { worker_id: "idle", waiting: true, tasks: [] },
    ],
  });
  await ctl.request("ack", { task_id: 1, worker_id: "busy", status: "done" });
  await ctl.request("enqueue", { prompt: "for idle" });
  await idle.replies(1);
  t.same((await ctl.request("workers")).result, { workers: [{ worker_id: "idle", waiting: false, tasks: [2] }] }, "the waiter took the task; busy finished");
});
