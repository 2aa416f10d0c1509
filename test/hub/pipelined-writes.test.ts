// A connection's pipelined writes: applied in the order they were sent, answered in order, and on PostgreSQL started
// without waiting for the previous one's commit, so they share it (server.ts pump, protocol.ts Overlap, and the lanes
// of store/postgres/group-commit.ts).
import postgres from "postgres";
import { PgGroupCommit } from "../../src/hub/store/postgres/group-commit.ts";
import type { Sql } from "../../src/hub/store/postgres/connect.ts";
import { RawConnection, startTestHub, storeTest, testDb } from "../fixtures/hub/helpers.ts";

const PG = ["postgres"] as const;

const request = (id: number, method: string, params: Record<string, unknown> = {}) => `${JSON.stringify({ id, method, params })}\n`;

interface WireTask {
  task_id: number;
  lease_seq: number;
  prompt: string;
  status: string;
}
type Reply = Awaited<ReturnType<RawConnection["replies"]>>[number] | undefined;
const tasksOf = (reply: Reply) => (reply?.result?.tasks ?? []) as WireTask[];
const taskOf = (reply: Reply) => reply?.result?.task as WireTask | undefined;

storeTest("pipelined enqueues on one connection: ids in the order sent, replies in order; on PostgreSQL, few transactions", async (t, store) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  const n = 200;
  let text = "";
  for (let i = 0; i < n; i++) text += request(i, "enqueue", { prompt: `p${i}` });
  c.send(text);
  const replies = await c.replies(n);
  t.same(
    replies.map((r) => r.id),
    Array.from({ length: n }, (_, i) => i),
    "replies in order",
  );
  t.same(
    replies.map((r) => r.result?.task_id),
    Array.from({ length: n }, (_, i) => i + 1),
    "task ids in the order the enqueues were sent",
  );
  if (store !== "postgres") return;
  // now() is the transaction's start: writes that shared a transaction share created_at.
  const sql = postgres(hub.db, { max: 1, onnotice: () => {} });
  t.teardown(() => sql.end({ timeout: 1 }));
  const [row] = await sql<{ n: number }[]>`SELECT count(DISTINCT created_at)::int AS n FROM tasks`;
  t.ok((row?.n ?? n) <= n / 4, `${row?.n} transactions for ${n} enqueues sent together (one each before)`);
});

storeTest("pipelined on one connection: a lease sees the enqueue before it, a get sees the ack before it", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  c.send(request(1, "enqueue", { prompt: "first" }) + request(2, "lease", { worker_id: "w" }));
  const [enqueued, leased] = await c.replies(2);
  const task = tasksOf(leased)[0];
  t.equal(task?.task_id, enqueued?.result?.task_id, "the lease got the task enqueued just before it");
  c.send(
    request(3, "enqueue", { prompt: "second" }) +
      request(4, "ack", { task_id: task?.task_id, status: "done", result: "ok", worker_id: "w", lease_seq: task?.lease_seq }) +
      request(5, "get", { task_id: task?.task_id }) +
      request(6, "lease", { worker_id: "w" }),
  );
  const [, acked, got, next] = await c.replies(4);
  t.same(acked?.result, { ok: true });
  t.equal(taskOf(got)?.status, "done", "get answered after the ack before it");
  t.equal(tasksOf(next)[0]?.prompt, "second");
});

storeTest(
  "the agent's pattern on PostgreSQL: the ack and the next lease sent together share one transaction",
  async (t) => {
    const hub = await startTestHub(t);
    const c = await RawConnection.open(t, hub.tcp.port);
    c.send(request(1, "enqueue", { prompt: "a" }) + request(2, "enqueue", { prompt: "b" }));
    await c.replies(2);
    const leased = await c.request("lease", { worker_id: "w" });
    const a = tasksOf(leased)[0];
    c.send(
      request(3, "ack", { task_id: a?.task_id, status: "done", worker_id: "w", lease_seq: a?.lease_seq }) +
        request(4, "lease", { worker_id: "w", wait_ms: 1000 }),
    );
    const [acked, next] = await c.replies(2);
    t.same(acked?.result, { ok: true });
    t.equal(tasksOf(next)[0]?.task_id, 2);
    const sql = postgres(hub.db, { max: 1, onnotice: () => {} });
    t.teardown(() => sql.end({ timeout: 1 }));
    const rows = await sql<{ task_id: number; updated_at: number }[]>`SELECT task_id, updated_at FROM tasks ORDER BY task_id`;
    t.equal(rows[0]?.updated_at, rows[1]?.updated_at, "the ack of a and the lease of b: one transaction (one now())");
  },
  PG,
);

storeTest(
  "group commit lanes: a lane's writes run in order even when they span batches; other lanes do not wait",
  async (t) => {
    const sql = postgres(await testDb(t), { max: 4, onnotice: () => {} });
    t.teardown(() => sql.end({ timeout: 1 }));
    await sql`CREATE SEQUENCE ticket`;
    // At most two writes a batch, two batches at once: without lanes, lane L's second batch runs beside its first.
    const commits = new PgGroupCommit(sql as unknown as Sql, 2, 2);
    const ticket = (sleep: number) => (tx: Sql) =>
      tx<{ n: number }[]>`SELECT pg_sleep(${sleep}), nextval('ticket')::int AS n`.then((rows) => (rows[0] as { n: number }).n);
    const lane = {};
    const other = {};
    const inLane = [commits.write(ticket(0.3), lane), ...Array.from({ length: 4 }, () => commits.write(ticket(0), lane))];
    const apart = commits.write(ticket(0), other);
    const tickets = await Promise.all(inLane);
    t.same(
      tickets,
      [...tickets].sort((x, y) => x - y),
      "lane L's writes took their tickets in the order they were made",
    );
    t.ok((await apart) < (tickets[0] as number), "another lane's write ran beside L's first batch, not after it");
  },
  PG,
);

storeTest("one bad write among pipelined ones fails alone (PostgreSQL text cannot hold NUL; SQLite stores it)", async (t, store) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  c.send(request(1, "enqueue", { prompt: "before" }) + request(2, "enqueue", { prompt: "a\u0000b" }) + request(3, "enqueue", { prompt: "after" }));
  const [before, bad, after] = await c.replies(3);
  t.equal(before?.error, null, "the write before it is kept");
  t.equal(after?.error, null, "the write after it is kept");
  if (store === "postgres") t.match(bad?.error?.message, /contains a NUL character .* PostgreSQL cannot store: remove it/);
  else t.equal(bad?.error, null);
  const { result } = await c.request("stats");
  t.same(result?.stats, { queued: store === "postgres" ? 2 : 3, leased: 0, done: 0, failed: 0 });
});
