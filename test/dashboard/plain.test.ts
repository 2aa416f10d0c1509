// The plain rendering from data: the exact text of an online snapshot, an offline state, truncation and the pure helpers.
import t from "tap";
import { age, firstLine, table, truncate } from "../../src/dashboard/format.ts";
import { rowBudget, colorEnabled } from "../../src/dashboard/layout.ts";
import { nextFilter, type Offline, type Snapshot, throughputOf, workersOf } from "../../src/dashboard/model.ts";
import { renderPlain } from "../../src/dashboard/plain.ts";
import { viewLines } from "../../src/dashboard/view.ts";
import type { Task } from "../../src/hub/task.ts";

const NOW = 1_700_000_000_000; // epoch ms of the poll
const s = NOW / 1000;

function task(id: number, fields: Partial<Task>): Task {
  return {
    task_id: id,
    prompt: `prompt ${id}`,
    status: "queued",
    created_at: s - 100,
    updated_at: s - 5,
    leased_until: null,
    worker_id: null,
    result: null,
    error: null,
    attempts: 0,
    max_attempts: 5,
    backend: null,
    priority: 0,
    ...fields,
  };
}

const tasks: Task[] = [
  task(5, { prompt: "write a haiku\nabout queues", updated_at: s - 2 }),
  task(4, { status: "leased", worker_id: "agent-a", leased_until: s + 42, updated_at: s - 18 }),
  task(3, { status: "done", worker_id: "agent-b", result: "first line of the answer\nsecond", updated_at: s - 75 }),
  task(2, { status: "failed", worker_id: "agent-a", error: { message: "boom" }, updated_at: s - 3700 }),
  task(1, { status: "done", worker_id: "agent-b", result: "ok", updated_at: s - 30 }),
];

const snapshot: Snapshot = {
  kind: "online",
  address: "127.0.0.1:8765",
  version: "0.1.0",
  stats: { queued: 1, leased: 1, done: 2, failed: 1 },
  filter: "all",
  tasks,
  throughput: throughputOf(tasks, NOW, false),
  workers: workersOf([tasks[1]!, task(9, { status: "leased", worker_id: "agent-b", leased_until: s - 1 })], NOW),
  waiting: [],
  at: NOW,
};

t.test("online snapshot", async (t) => {
  t.equal(
    renderPlain(snapshot, 100),
    `Mittelö dashboard · hub 127.0.0.1:8765 · v0.1.0 · ONLINE
queued 1 · leased 1 · done 2 · failed 1 · total 5
throughput: 1 done in the last minute · 0.4 tasks/min (5 min average)

Recent tasks (filter: all)
ID  STATUS  WORKER   AGE  PROMPT / RESULT / ERROR
5   queued  -        2s   write a haiku
4   leased  agent-a  18s  prompt 4
3   done    agent-b  1m   first line of the answer
2   failed  agent-a  1h   {"message":"boom"}
1   done    agent-b  30s  ok

Active workers (2)
WORKER   TASK  LEASE LEFT
agent-a  4     42s
agent-b  9     expired
`,
  );
  t.notMatch(renderPlain(snapshot), /\u001b/, "no escape codes");
});

t.test("workers waiting for tasks are listed after the leases, cut to the width", async (t) => {
  const waiting = { ...snapshot, waiting: ["agent-c", "agent-d"] };
  t.match(renderPlain(waiting, 100), /\nagent-b {2}9 {5}expired\nwaiting for tasks \(2\): agent-c, agent-d\n$/);
  t.match(renderPlain({ ...waiting, workers: [] }, 100), /\nActive workers \(0\)\nno leases\nwaiting for tasks \(2\): agent-c, agent-d\n$/);
  t.ok(
    renderPlain(waiting, 30)
      .split("\n")
      .every((line) => line.length <= 30),
    "no line wider than 30 columns",
  );
});

t.test("lines are cut to the terminal width", async (t) => {
  const long = { ...snapshot, tasks: [task(7, { prompt: "x".repeat(300) })] };
  const lines = renderPlain(long, 40).trimEnd().split("\n");
  for (const line of lines) t.ok(Array.from(line).length <= 40, `fits: ${line}`);
  t.equal(lines[6], `7   queued  -       5s   ${"x".repeat(14)}…`);
});

t.test("empty hub and a filter", async (t) => {
  const empty: Snapshot = { ...snapshot, tasks: [], workers: [], filter: "failed", stats: { queued: 0, leased: 0, done: 0, failed: 0 } };
  t.match(renderPlain(empty), /Recent tasks \(filter: failed\)\nno failed tasks\n\nActive workers \(0\)\nno leases\n$/);
});

t.test("offline", async (t) => {
  const offline: Offline = {
    kind: "offline",
    address: "127.0.0.1:9",
    error: "connection refused: nothing listens there",
    startCommand: "mittelo hub --host 127.0.0.1 --port 9",
    retryInSeconds: 2.2,
    at: NOW,
  };
  t.equal(
    renderPlain(offline),
    `Mittelö dashboard · hub 127.0.0.1:9 · OFFLINE

OFFLINE: cannot reach the hub at 127.0.0.1:9
error: connection refused: nothing listens there
start a hub: mittelo hub --host 127.0.0.1 --port 9
retrying in 3s
`,
  );
  t.notMatch(renderPlain({ ...offline, retryInSeconds: 0 }), /retrying/, "no countdown when there is no retry (--once)");
});

t.test("live layout limits rows to the height", async (t) => {
  const many = { ...snapshot, tasks: Array.from({ length: 50 }, (_, i) => task(50 - i, {})) };
  const budget = rowBudget(24, many.workers.length);
  t.same(budget, { maxTasks: 8, maxWorkers: 2 });
  const lines = viewLines(many, { width: 80, ...budget });
  t.ok(lines.length + 3 <= 23, `${lines.length} lines + footer fit 24 rows`);
  t.match(lines[4]?.text, /42 more not shown/);
  t.same(rowBudget(5, 3), { maxTasks: 1, maxWorkers: 1 }, "tiny terminal still shows a row");
});

t.test("helpers", async (t) => {
  t.same([age(-3), age(59.9), age(61), age(7200), age(200_000)], ["0s", "59s", "1m", "2h", "2d"]);
  t.equal(firstLine("\n  \n\tfirst\u001b[31m red\nsecond"), "first[31m red", "control characters are dropped");
  t.equal(truncate("héllo wörld", 6), "héllo…");
  t.same(table(["A", "B"], [["1", "abcdef"]], 6), ["A  B", "1  ab…"]);
  t.same(
    [nextFilter("all"), nextFilter("queued"), nextFilter("leased"), nextFilter("done"), nextFilter("failed")],
    ["queued", "leased", "done", "failed", "all"],
  );
  t.same([colorEnabled({ NO_COLOR: "1" }), colorEnabled({ NO_COLOR: "" }), colorEnabled({})], [false, true, true]);
  const tp = throughputOf(
    [task(1, { status: "done", updated_at: s - 10 }), task(2, { status: "done", updated_at: s - 200 }), task(3, { status: "done", updated_at: s - 400 })],
    NOW,
    true,
  );
  t.same(tp, { doneLastMinute: 1, perMinute: 0.4, capped: true });
});
