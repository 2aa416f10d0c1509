// `mittelo dashboard --once` as a real process: a real hub with tasks in every state (exit 0), and no hub (exit 1, OFFLINE).
import t from "tap";
import { connect, freePort, startTestHub, waitFor } from "../fixtures/dashboard/helpers.ts";
import { spawnCli } from "../helpers/cli.ts";

t.test("online: counts, throughput, recent tasks and workers; exit 0", async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  for (const prompt of ["one", "two\nsecond line", "three", "four", "five"]) await client.call("enqueue", { prompt });
  const leased = await client.call("lease", { worker_id: "agent-a", max_tasks: 3 });
  const [a, b] = leased.tasks.map((x) => x.task_id);
  await client.call("ack", { task_id: a!, status: "done", worker_id: "agent-a", result: "the answer\nmore" });
  await client.call("ack", { task_id: b!, status: "failed", worker_id: "agent-a", error: "backend exited 3" });

  const r = await spawnCli(["dashboard", "--once", "--port", String(hub.tcp.port)]);
  t.equal(r.code, 0);
  t.equal(r.stderr, "");
  t.notMatch(r.stdout, /\u001b/, "no escape codes");
  t.match(r.stdout, new RegExp(`^Mittelö dashboard · hub 127\\.0\\.0\\.1:${hub.tcp.port} · v\\d+\\.\\d+\\.\\d+\\S* · ONLINE\n`));
  t.match(r.stdout, "\nqueued 2 · leased 1 · done 1 · failed 1 · total 5\n");
  t.match(r.stdout, "\nthroughput: 1 done in the last minute · 0.2 tasks/min (5 min average)\n");
  t.match(r.stdout, /\n5\s+queued\s+-\s+\d+s\s+five\n4\s+queued\s+-\s+\d+s\s+four\n3\s+leased\s+agent-a\s+\d+s\s+three\n/);
  t.match(r.stdout, /\n2\s+failed\s+agent-a\s+\d+s\s+backend exited 3\n1\s+done\s+agent-a\s+\d+s\s+the answer\n/);
  t.match(r.stdout, /\nActive workers \(1\)\nWORKER\s+TASK\s+LEASE LEFT\nagent-a\s+3\s+(\d+s|1m)\n$/); // 60 s lease: 1m when read within the first half second
});

t.test("a worker parked in a long-poll lease is shown as waiting for tasks", async (t) => {
  const hub = await startTestHub(t);
  const idle = await connect(t, hub.tcp.port);
  const parked = idle.call("lease", { worker_id: "idle-1", wait_ms: 30_000 }).catch(() => undefined);
  await waitFor(
    "the lease is parked",
    () => hub.hub.longPoll.size,
    (n) => n === 1,
  );
  const r = await spawnCli(["dashboard", "--once", "--port", String(hub.tcp.port)]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /\nActive workers \(0\)\nno leases\nwaiting for tasks \(1\): idle-1\n$/);
  idle.close();
  await parked;
});

t.test("offline: OFFLINE, the address, the error, the start command; exit 1", async (t) => {
  const port = await freePort();
  const r = await spawnCli(["dashboard", "--once", "--port", String(port)]);
  t.equal(r.code, 1);
  t.equal(r.stderr, "", "no stack trace, nothing on stderr");
  t.equal(
    r.stdout,
    `Mittelö dashboard · hub 127.0.0.1:${port} · OFFLINE

OFFLINE: cannot reach the hub at 127.0.0.1:${port}
error: connection refused: nothing listens there
start a hub: mittelo hub --host 127.0.0.1 --port ${port}
`,
  );
  const env = await spawnCli(["dashboard", "--once"], { env: { MITTELO_HOST: "127.0.0.1", MITTELO_PORT: String(port) } });
  t.equal(env.code, 1);
  t.match(env.stdout, `OFFLINE: cannot reach the hub at 127.0.0.1:${port}`, "MITTELO_HOST/MITTELO_PORT are honoured");
});

t.test("usage errors exit 2", async (t) => {
  const bad = await spawnCli(["dashboard", "--once", "--interval", "fast"]);
  t.equal(bad.code, 2);
  t.equal(bad.stderr, 'mittelo: --interval must be a duration from 100ms to 60m such as 500ms, 1s or 2m, got "fast"\n');
  const live = await spawnCli(["dashboard", "--port", "1"]);
  t.equal(live.code, 2, "the live view without a terminal");
  t.match(live.stderr, /needs a terminal.*\n {2}hint: use `mittelo dashboard --once`/);
});

t.test("--once shows the store and the hubs connected to it", async (t) => {
  const hub = await startTestHub(t);
  const r = await spawnCli(["dashboard", "--once", "--port", String(hub.tcp.port)]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`store sqlite .*hub\\.db · 1 hub\\(s\\) connected: 127\\.0\\.0\\.1:${hub.tcp.port} \\(this one\\)`));
});
