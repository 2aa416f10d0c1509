// The hub CLI end to end as real processes: hub, enqueue, status, stats, retry, shutdown; and no hub running.
import { writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import t from "tap";
import { runMain, spawnHub, tempDir } from "../fixtures/hub/helpers.ts";
import { spawnCli } from "../helpers/cli.ts";

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

t.test("no hub running: one clear line, exit 1, no stack trace", async (t) => {
  const port = await freePort();
  const real = await spawnCli(["stats", "--port", String(port)]);
  t.same([real.code, real.stderr], [1, `mittelo: no hub at 127.0.0.1:${port} — start one with \`mittelo hub\`\n`], "as a real process");
  for (const args of [["stats"], ["status"], ["enqueue", "--prompt", "x"], ["retry"], ["shutdown"]]) {
    const r = await runMain([...args, "--port", String(port)]);
    t.equal(r.code, 1, `${args[0]} exits 1`);
    t.equal(r.stderr, `mittelo: no hub at 127.0.0.1:${port} — start one with \`mittelo hub\`\n`, `${args[0]}: one line`);
  }
  const env = await runMain(["stats"], { MITTELO_PORT: String(port), MITTELO_HOST: "127.0.0.1" });
  t.match(env.stderr, `no hub at 127.0.0.1:${port}`, "MITTELO_PORT is honoured");
});

t.test("hub + enqueue + status + stats + retry + shutdown", async (t) => {
  const dir = tempDir(t);
  const hub = await spawnHub(t, ["--db", join(dir, "sub", "q.db"), "--rest-port", "0"]);
  t.ok(hub.restPort, "MITTELO_REST printed with the real port");
  t.match(hub.stderr(), /0 lease\(s\) outstanding/);
  const port = ["--port", String(hub.port)];
  const one = await spawnCli(["enqueue", "--prompt", "hi", ...port]);
  t.same([one.code, one.stdout], [0, "1\n"]);
  writeFileSync(join(dir, "prompt.txt"), "from a file\n");
  t.equal((await runMain(["enqueue", "--file", join(dir, "prompt.txt"), "--backend", "echo", "--priority", "2", ...port])).stdout, "2\n");
  writeFileSync(join(dir, "tasks.jsonl"), '"a string"\n\n{"prompt":"obj","backend":"codex"}\n');
  t.equal((await runMain(["enqueue", "--jsonl", join(dir, "tasks.jsonl"), ...port])).stdout, "3\n4\n");
  const usage = await runMain(["enqueue", ...port]);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /exactly one of --prompt, --file or --jsonl/);
  const badJsonl = join(dir, "bad.jsonl");
  writeFileSync(badJsonl, "{oops\n");
  t.match((await runMain(["enqueue", "--jsonl", badJsonl, ...port])).stderr, /bad.jsonl:1: not JSON/);

  const table = await runMain(["status", ...port]);
  t.equal(table.code, 0);
  t.match(table.stdout, /^ID\s+STATUS\s+WORKER/);
  t.match(table.stdout, /4\s+queued\s+-\s+0\s+codex/);
  t.match(
    table.stdout,
    /queued 4 · leased 0 · done 0 · failed 0\nstore sqlite \/.*q\.db · 1 hub\(s\) connected\n {2}hub 127\.0\.0\.1:\d+ on .* · 0 waiting · seen .* · answered\n$/,
  );
  const json = JSON.parse((await runMain(["status", "--json", "--status", "queued", "--limit", "2", ...port])).stdout) as { tasks: { task_id: number }[] };
  t.same(
    json.tasks.map((x) => x.task_id),
    [4, 3],
  );
  const bad = await runMain(["status", "--status", "weird", ...port]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^mittelo: list: status must be one of/);
  t.same(JSON.parse((await runMain(["stats", "--json", ...port])).stdout), { queued: 4, leased: 0, done: 0, failed: 0 });
  t.equal((await runMain(["stats", ...port])).stdout, "queued 4 · leased 0 · done 0 · failed 0\n");
  t.equal((await runMain(["retry", ...port])).stdout, "retried 0 failed task(s)\n");
  t.equal((await runMain(["shutdown", ...port])).code, 0);
  t.equal(await hub.exited, 0);
  t.match(hub.stderr(), /stopped/);
});

t.test("SIGTERM stops the hub gracefully; a restart reports outstanding leases", async (t) => {
  const db = join(tempDir(t), "q.db");
  const hub = await spawnHub(t, ["--db", db]);
  const { HubClient } = await import("../../src/hub/client.ts");
  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.port });
  await client.call("enqueue", { prompt: "x" });
  await client.call("lease", { worker_id: "w" });
  client.close();
  hub.child.kill("SIGTERM");
  t.equal(await hub.exited, 0);
  const again = await spawnHub(t, ["--db", db]);
  t.match(again.stderr(), /1 lease\(s\) outstanding/);
});

t.test("usage errors: insecure bind, bad port", async (t) => {
  const db = join(tempDir(t), "q.db");
  const insecure = await spawnCli(["hub", "--host", "0.0.0.0", "--port", "0", "--db", db]);
  t.equal(insecure.code, 2);
  t.match(insecure.stderr, /refusing to listen on 0.0.0.0 \(--host\) without a token/);
  t.match(insecure.stderr, /hint: set --token or MITTELO_TOKEN/);
  const port = await runMain(["hub", "--port", "http", "--db", db]);
  t.equal(port.code, 2);
  t.match(port.stderr, /--port must be a port number/);
  const blank = await spawnCli(["hub", "--host", "0.0.0.0", "--port", "0", "--db", db], { env: { MITTELO_TOKEN: "  \t " } });
  t.equal(blank.code, 2);
  t.match(blank.stderr, /refusing to listen on 0.0.0.0 \(--host\): the token is only whitespace/);
  t.match(blank.stderr, /hint: use a random token of at least 16 characters/);
  const short = await spawnCli(["hub", "--host", "0.0.0.0", "--port", "0", "--db", db, "--token", "hunter2"]);
  t.equal(short.code, 2);
  t.match(short.stderr, /the token has 7 characters, fewer than 16/);
  t.notMatch(short.stderr, /hunter2/, "the token is not echoed");
  const size = await runMain(["hub", "--max-line-bytes", "8MB", "--db", db]);
  t.equal(size.code, 2);
  t.match(size.stderr, /--max-line-bytes must be a size in bytes such as 1048576 or 1MiB, got "8MB"/);
  const timeout = await runMain(["hub", "--idle-timeout", "forever", "--db", db]);
  t.equal(timeout.code, 2);
  t.match(timeout.stderr, /--idle-timeout must be a duration such as 10s, 5m or 500ms \(0: never\), got "forever"/);
});

t.test("mittelo hub --help documents the memory budget", async (t) => {
  const help = await spawnCli(["hub", "--help"]);
  t.equal(help.code, 0);
  for (const flag of [
    "--max-connections",
    "--auth-timeout",
    "--idle-timeout",
    "--max-buffered-bytes",
    "--max-prompt-bytes",
    "--max-result-bytes",
    "--max-reply-bytes",
  ]) {
    t.match(help.stdout, flag);
  }
  t.match(help.stdout, /Memory budget/);
});

t.test("--hub and MITTELO_HUB: a list of hubs, the first that answers is used; bad lists are usage errors", async (t) => {
  const hub = await spawnHub(t, ["--db", join(tempDir(t), "q.db")]);
  const dead = await freePort();
  const list = `127.0.0.1:${dead},tcp://127.0.0.1:${hub.port}`;
  const viaFlag = await runMain(["enqueue", "--prompt", "x", "--hub", list]);
  t.same([viaFlag.code, viaFlag.stdout], [0, "1\n"], "the dead first hub is skipped");
  const viaEnv = await runMain(["stats", "--json"], { MITTELO_HUB: list });
  t.same(JSON.parse(viaEnv.stdout), { queued: 1, leased: 0, done: 0, failed: 0 });
  const none = await runMain(["stats", "--hub", `127.0.0.1:${dead},[::1]:${dead}`]);
  t.equal(none.code, 1);
  t.equal(none.stderr, `mittelo: no hub answers at 127.0.0.1:${dead}, [::1]:${dead} — start one with \`mittelo hub\`\n`);
  const both = await runMain(["stats", "--hub", list, "--port", "1"]);
  t.same([both.code, both.stderr], [2, "mittelo: give either --hub host:port[,host:port…] or --host/--port, not both\n"]);
  const bad = await runMain(["stats", "--hub", "nohost"]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^mittelo: --hub: "nohost" is not host:port/);
});
