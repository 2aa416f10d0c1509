// Several hubs on one PostgreSQL database: one queue. Wake-ups cross hubs (enqueue, lease expiry), `workers` and
// `hubs` see every hub, a hub SIGKILLed mid-run loses no confirmed write and hands out no lease before it expires,
// an agent fails over without losing its result, and a client written from docs/PROTOCOL.md alone works unchanged.
import { execa } from "execa";
import { HubClient, HubRequestError, HubUnavailableError, type ParamsArgument } from "../../src/hub/client.ts";
import type { Method, MethodResults } from "../../src/hub/protocol-types.ts";
import { agent } from "../fixtures/agent/helpers.ts";
import { connect, type HubProcess, spawnHub, startTestHub, storeTest, testDb, waitFor } from "../fixtures/hub/helpers.ts";

const PG = ["postgres"] as const;

storeTest(
  "a lease waiting on one hub is woken by an enqueue, a lease expiry and a retry_failed on another",
  async (t) => {
    const db = await testDb(t);
    const [a, b] = [await startTestHub(t, { db }), await startTestHub(t, { db })];
    const onA = await connect(t, a!.tcp.port);
    const onB = await connect(t, b!.tcp.port);
    const waiting = onB.call("lease", { worker_id: "wb", wait_ms: 30_000 });
    await waitFor(() => b!.hub.longPoll.size === 1, "the lease on B is parked");
    const { task_id } = await onA.call("enqueue", { prompt: "for whoever waits" });
    t.equal((await waiting).tasks[0]?.task_id, task_id, "B's waiter got A's task (woken by NOTIFY, long before wait_ms)");

    // A worker on B holds a task with a short lease and goes silent; a waiter on A gets it when the lease expires.
    await onA.call("enqueue", { prompt: "abandoned" });
    const [held] = (await onB.call("lease", { worker_id: "silent", lease_seconds: 0.3 })).tasks;
    const relet = await onA.call("lease", { worker_id: "wa", wait_ms: 30_000 });
    t.equal(relet.tasks[0]?.task_id, held?.task_id, "A's waiter was woken by the expiry of B's lease");
    t.ok((relet.tasks[0]?.updated_at ?? 0) >= (held?.leased_until ?? Number.POSITIVE_INFINITY), "not before that lease expired");
    t.equal(relet.tasks[0]?.lease_seq, 2);

    // A failed task that retry_failed on A queues again wakes a waiter on B.
    const { task_id: failing } = await onA.call("enqueue", { prompt: "fails once" });
    const [taken] = (await onA.call("lease", { worker_id: "wf" })).tasks;
    t.equal(taken?.task_id, failing);
    await onA.call("ack", { task_id: failing, status: "failed", error: "flaky", worker_id: "wf" });
    const again = onB.call("lease", { worker_id: "wb", wait_ms: 30_000 });
    await waitFor(() => b!.hub.longPoll.size === 1, "the second lease on B is parked");
    t.equal((await onA.call("retry_failed")).retried, 1);
    t.equal((await again).tasks[0]?.task_id, failing, "B's waiter got the retried task (woken by NOTIFY, long before wait_ms)");
  },
  PG,
);

storeTest(
  "workers and hubs see every hub sharing the database",
  async (t) => {
    const db = await testDb(t);
    const [a, b] = [await startTestHub(t, { db }), await startTestHub(t, { db })];
    const onA = await connect(t, a!.tcp.port);
    const onB = await connect(t, b!.tcp.port);
    await onA.call("enqueue", { prompt: "held on A" });
    await onA.call("lease", { worker_id: "busy-on-a" });
    const idle = await connect(t, b!.tcp.port); // its own connection: a parked lease holds back later replies on it
    void idle.call("lease", { worker_id: "idle-on-b", wait_ms: 30_000 }).catch(() => {});
    await waitFor(() => b!.hub.longPoll.size === 1, "the lease on B is parked");
    let workers: { worker_id: string; waiting: boolean; tasks: number[] }[] = [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      workers = (await onA.call("workers")).workers;
      if (workers.some((w) => w.worker_id === "idle-on-b")) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    t.same(workers, [
      { worker_id: "busy-on-a", waiting: false, tasks: [1] },
      { worker_id: "idle-on-b", waiting: true, tasks: [] },
    ]);
    const hubs = await onB.call("hubs");
    t.equal(hubs.store.kind, "postgres");
    t.same(
      hubs.hubs.map((h) => [h.listen, h.self]).sort(),
      [
        [`127.0.0.1:${a!.tcp.port}`, false],
        [`127.0.0.1:${b!.tcp.port}`, true],
      ].sort(),
    );
    await a!.close();
    const after = await onB.call("hubs");
    t.same(
      after.hubs.map((h) => h.listen),
      [`127.0.0.1:${b!.tcp.port}`],
      "a hub that closes withdraws at once",
    );
  },
  PG,
);

/** A worker of the test: leases from its hub, acks with its lease's token, and fails over to the next hub. */
class Worker {
  private client: HubClient | undefined;
  private index: number;
  failovers = 0;

  constructor(
    readonly id: string,
    private readonly ports: number[],
    start: number,
  ) {
    this.index = start;
  }

  async call<M extends Method>(method: M, ...params: ParamsArgument<M>): Promise<MethodResults[M]> {
    for (let tries = 0; ; tries++) {
      try {
        this.client ??= await HubClient.connect({ host: "127.0.0.1", port: this.ports[this.index] as number, timeoutMs: 5000 });
        return await this.client.call(method, ...params);
      } catch (error) {
        if (!(error instanceof HubUnavailableError) || tries > 20) throw error;
        this.client?.close();
        this.client = undefined;
        this.index = (this.index + 1) % this.ports.length;
        this.failovers++;
      }
    }
  }

  close(): void {
    this.client?.close();
  }
}

storeTest(
  "three hubs, six workers spread over them, one hub SIGKILLed mid-run: every task done once, every confirmed ack kept",
  async (t) => {
    const db = await testDb(t);
    const hubs: HubProcess[] = [];
    for (let i = 0; i < 3; i++) hubs.push(await spawnHub(t, ["--db", db]));
    const ports = hubs.map((h) => h.port);
    const N = 400;
    const producer = new Worker("producer", ports, 0);
    t.teardown(() => producer.close());
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => producer.call("enqueue", { prompt: `task ${i + k}` })));
    }
    const leases = new Map<number, { worker: string; at: number; until: number; seq: number }[]>();
    const confirmed = new Map<number, string>();
    let doubleConfirmed = 0;
    let refused = 0;
    let killed = false;
    const work = async (w: Worker) => {
      while (confirmed.size < N) {
        const { tasks } = await w.call("lease", { worker_id: w.id, max_tasks: 2, lease_seconds: 2, wait_ms: 200 });
        for (const task of tasks) {
          const list = leases.get(task.task_id) ?? [];
          list.push({ worker: w.id, at: task.updated_at, until: task.leased_until!, seq: task.lease_seq! }); // this hub sends both
          leases.set(task.task_id, list);
          if (confirmed.size >= N / 3 && !killed) {
            killed = true;
            hubs[1]!.child.kill("SIGKILL"); // mid-run: its workers have leases and acks in flight
          }
          try {
            await w.call("ack", { task_id: task.task_id, worker_id: w.id, lease_seq: task.lease_seq, status: "done", result: w.id });
            if (confirmed.has(task.task_id) && confirmed.get(task.task_id) !== w.id) doubleConfirmed++;
            confirmed.set(task.task_id, w.id);
          } catch (error) {
            if (!(error instanceof HubRequestError)) throw error;
            refused++; // its lease expired (the hub died with our lease reply) and someone else took the task
          }
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, i) => new Worker(`w${i}`, ports, i % 3));
    t.teardown(() => {
      for (const w of workers) w.close();
    });
    await Promise.all(workers.map(work));
    t.equal(await hubs[1]!.exited, "SIGKILL");
    t.ok(
      workers.some((w) => w.failovers > 0),
      "the workers of the killed hub failed over",
    );
    t.equal(confirmed.size, N, "every task acked");
    t.equal(doubleConfirmed, 0, "no task confirmed to two workers");
    const { tasks, stats } = await producer.call("list", { limit: 0 });
    t.same(stats, { queued: 0, leased: 0, done: N, failed: 0 });
    t.ok(
      tasks.every((x) => x.status === "done" && x.result === confirmed.get(x.task_id)),
      "every confirmed ack is what the database holds",
    );
    let early = 0;
    for (const list of leases.values()) for (let k = 1; k < list.length; k++) if ((list[k]?.at ?? 0) < (list[k - 1]?.until ?? 0)) early++;
    t.equal(early, 0, `no lease handed out before the previous one expired (${refused} acks refused after expiry)`);
  },
  PG,
);

storeTest(
  "an agent with --hub A,B finishes its task through B when A is SIGKILLed while the task runs",
  async (t) => {
    const db = await testDb(t);
    const a = await spawnHub(t, ["--db", db]);
    const b = await spawnHub(t, ["--db", db]);
    const client = await connect(t, b.port);
    await client.call("enqueue", { prompt: "slow" });
    const child = agent(["--backend", "slowtask", "--hub", `127.0.0.1:${a.port},127.0.0.1:${b.port}`, "--lease-seconds", "30", "--until-empty"]);
    for (const deadline = Date.now() + 30_000; ; ) {
      const { stats } = await client.call("stats");
      if (stats.leased === 1) break;
      if (Date.now() > deadline) throw new Error("the task was never leased");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    a.child.kill("SIGKILL");
    const result = await child;
    t.equal(result.exitCode, 0, result.stderr);
    t.match(result.stderr, new RegExp(`connected to 127\\.0\\.0\\.1:${b.port}`), "it moved to B");
    const { tasks } = await client.call("list", {});
    t.match(tasks[0], { status: "done", result: "slow done", attempts: 1 }, "acked through B; never leased again");
  },
  PG,
);

const PYTHON_CLIENT = `
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rwb")
def call(i, method, params=None):
    f.write((json.dumps({"id": i, "method": method, "params": params or {}}) + "\\n").encode()); f.flush()
    reply = json.loads(f.readline())
    assert reply["id"] == i and list(reply) == ["id", "result", "error"], reply
    return reply
ids = [call(i, "enqueue", {"prompt": "p%d" % i})["result"]["task_id"] for i in range(1, 4)]
leased = call(10, "lease", {"worker_id": "py", "max_tasks": 3})["result"]["tasks"]
assert [x["task_id"] for x in leased] == ids, leased
assert list(leased[0])[:9] == ["task_id", "prompt", "status", "created_at", "updated_at", "leased_until", "worker_id", "result", "error"]
for x in leased: assert call(20, "ack", {"task_id": x["task_id"], "status": "done", "result": x["prompt"].upper()})["error"] is None
print(json.dumps(call(30, "stats")["result"]["stats"], sort_keys=True))
bad = call(40, "ack", {"task_id": 99, "status": "done"})
print(bad["error"]["message"])
`;

storeTest(
  "a client written against docs/PROTOCOL.md (Python, socket module only) works unchanged",
  async (t) => {
    const hub = await startTestHub(t);
    const r = await execa("python3", ["-c", PYTHON_CLIENT, String(hub.tcp.port)], { reject: false });
    t.equal(r.exitCode, 0, r.stderr);
    t.equal(r.stdout, '{"done": 3, "failed": 0, "leased": 0, "queued": 0}\nack: task 99 does not exist');
  },
  ["sqlite", "postgres"],
);
