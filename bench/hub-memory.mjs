// Hub memory benchmark: the resident memory of a real `mittelo hub` process (VmRSS/VmHWM from /proc/<pid>/status)
// under the attacks of issue 11 §3, and whether it keeps answering another client meanwhile.
// Run: node --import tsx bench/hub-memory.mjs [--scenario flood|pipeline|idle|list|status|all] [--json] [--db postgres://…]
//        [--hub-nofile 200] [--connections 40] [--bytes 8000000] [--seconds 20] [--tasks 50] [--prompt-bytes 8000000] [-- hub flags…]
//   flood     C connections each send B bytes without a newline (no token: a loopback hub)
//   pipeline  one connection parks a long-poll lease, then pipelines 1 MiB enqueue lines without reading
//   idle      C idle connections: how many the hub still holds after --seconds (with its --idle-timeout)
//   list      T tasks with P-byte prompts and results written straight into the store, then `list {limit: 0}`
//   status    the same data, then `mittelo status --limit 0`: its own peak RSS (/usr/bin/time) and output size
// Linux only (/proc). Figures depend on the machine's load; compare runs of the same series.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { HubClient } from "../src/hub/client.ts";
import { openDb } from "../src/hub/store/sqlite/db.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scenario: { type: "string", default: "all" },
    connections: { type: "string", default: "40" },
    bytes: { type: "string", default: "8000000" },
    seconds: { type: "string", default: "20" },
    tasks: { type: "string", default: "50" },
    "prompt-bytes": { type: "string", default: "8000000" },
    db: { type: "string" },
    "hub-nofile": { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const BIN = new URL("../bin/mittelo.mjs", import.meta.url).pathname;
const MB = 1024 * 1024;
const scenarios = values.scenario === "all" ? ["flood", "pipeline", "idle", "list", "status"] : values.scenario.split(",");
const dir = mkdtempSync(join(tmpdir(), "mittelo-bench-mem-"));
const results = {};
try {
  for (const name of scenarios) {
    const db = values.db ?? join(dir, `${name}.db`);
    const hub = await startHubProcess(db, positionals);
    try {
      results[name] = await { flood, pipeline, idle, list, status }[name](hub, db);
    } finally {
      hub.child.kill("SIGKILL");
      await hub.exited;
    }
    if (!values.json) console.log(`${name}: ${JSON.stringify(results[name])}`);
  }
  if (values.json) console.log(JSON.stringify(results));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** VmRSS and VmHWM of a process, in MiB. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

function round(n) {
  return Math.round(n * 10) / 10;
}

/** A client that sends `stats` every 200 ms while `during` runs: how many answered, the slowest, the failures. */
async function prober(port) {
  const client = await HubClient.connect({ host: "127.0.0.1", port, timeoutMs: 30_000 });
  const probe = { answered: 0, failed: 0, slowestMs: 0, lastError: undefined };
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const t0 = performance.now();
      try {
        await client.call("stats");
        probe.answered++;
        probe.slowestMs = Math.max(probe.slowestMs, Math.round(performance.now() - t0));
      } catch (error) {
        probe.failed++;
        probe.lastError = error.message;
        break;
      }
      await sleep(200);
    }
  })();
  return {
    probe,
    async stop() {
      stop = true;
      await loop;
      client.close();
      // A fresh connection after the attack must work too.
      const fresh = await HubClient.connect({ host: "127.0.0.1", port, timeoutMs: 30_000 }).catch((e) => e);
      probe.freshConnection = fresh instanceof HubClient ? "ok" : fresh.message;
      if (fresh instanceof HubClient) fresh.close();
      return probe;
    },
  };
}

async function flood(hub) {
  const C = Number(values.connections);
  const B = Number(values.bytes);
  const before = memory(hub.child.pid);
  const p = await prober(hub.port);
  const chunk = Buffer.alloc(64 * 1024, "x");
  const deadline = Date.now() + Number(values.seconds) * 1000;
  const sockets = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: C }, async () => {
      const socket = await open(hub.port);
      sockets.push(socket);
      for (let left = B; left > 0 && Date.now() < deadline && !socket.destroyed; ) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        sent += piece.length;
        if (!socket.write(piece)) await Promise.race([new Promise((r) => socket.once("drain", r)), sleep(Math.max(0, deadline - Date.now()))]);
      }
    }),
  );
  await sleep(1000);
  const during = memory(hub.child.pid);
  const probe = await p.stop();
  for (const s of sockets) s.destroy();
  return {
    connections: C,
    bytesEach: B,
    sentMiB: round(sent / MB),
    rssBeforeMiB: round(before.rss),
    rssAfterMiB: round(during.rss),
    peakMiB: round(during.hwm),
    growthMiB: round(during.hwm - before.rss),
    probe,
  };
}

async function pipeline(hub) {
  const before = memory(hub.child.pid);
  const p = await prober(hub.port);
  const socket = await open(hub.port);
  socket.write(`${JSON.stringify({ id: 0, method: "lease", params: { wait_ms: 3_600_000, backends: ["nobody"] } })}\n`);
  const line = Buffer.from(`${JSON.stringify({ id: 1, method: "enqueue", params: { prompt: "y".repeat(MB) } })}\n`);
  const deadline = Date.now() + Number(values.seconds) * 1000;
  let sent = 0;
  while (Date.now() < deadline && sent < 4096 * line.length) {
    sent += line.length;
    if (!socket.write(line)) await Promise.race([new Promise((r) => socket.once("drain", r)), sleep(Math.max(0, deadline - Date.now()))]);
  }
  await sleep(1000);
  const during = memory(hub.child.pid);
  const probe = await p.stop();
  socket.destroy();
  return {
    lineBytes: line.length,
    sentMiB: round(sent / MB),
    rssBeforeMiB: round(before.rss),
    peakMiB: round(during.hwm),
    growthMiB: round(during.hwm - before.rss),
    probe,
  };
}

async function idle(hub) {
  const C = Number(values.connections);
  let ended = 0;
  const sockets = await Promise.all(
    Array.from({ length: C }, () =>
      open(hub.port).then(
        (s) => {
          s.once("end", () => ended++);
          s.resume();
          return s;
        },
        () => undefined,
      ),
    ),
  );
  const opened = sockets.filter(Boolean).length;
  await sleep(Number(values.seconds) * 1000);
  const stillOpen = opened - ended;
  const p = await prober(hub.port);
  const probe = await p.stop();
  for (const s of sockets) s?.destroy();
  return { connections: C, opened, stillOpenAfterSeconds: Number(values.seconds), stillOpen, probe };
}

async function list(hub, db) {
  await prefill(db);
  const before = memory(hub.child.pid);
  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.port, timeoutMs: 120_000 });
  const t0 = performance.now();
  let reply;
  let error;
  const bytes = await rawReplyBytes(hub.port, { limit: 0 }).catch((e) => {
    error = e.message;
    return 0;
  });
  try {
    reply = await client.call("list", { limit: 0 });
  } catch (e) {
    error = e.message;
  }
  const ms = Math.round(performance.now() - t0);
  client.close();
  const after = memory(hub.child.pid);
  return {
    tasks: Number(values.tasks),
    promptBytes: Number(values["prompt-bytes"]),
    replyMiB: round(bytes / MB),
    listed: reply?.tasks.length,
    more: reply?.more,
    error,
    ms,
    rssBeforeMiB: round(before.rss),
    peakMiB: round(after.hwm),
    growthMiB: round(after.hwm - before.rss),
  };
}

async function status(hub, db) {
  await prefill(db);
  const child = spawn("/usr/bin/time", ["-f", "%M", process.execPath, BIN, "status", "--port", String(hub.port), "--limit", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = 0;
  let err = "";
  child.stdout.on("data", (d) => {
    out += d.length;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const code = await new Promise((r) => child.once("exit", r));
  const kb = Number(/(\d+)\s*$/.exec(err.trim())?.[1]);
  const hubMem = memory(hub.child.pid);
  return {
    exitCode: code,
    outputKiB: round(out / 1024),
    statusPeakMiB: round(kb / 1024),
    hubPeakMiB: round(hubMem.hwm),
    stderr: err.trim().split("\n").slice(0, -1).join(" ").slice(0, 300),
  };
}

/** T done tasks whose prompt and result are P bytes each, written straight into the store (as a hub of an older version, or without limits, would have). */
async function prefill(db) {
  const T = Number(values.tasks);
  const P = Number(values["prompt-bytes"]);
  const now = Date.now() / 1000;
  const prompt = "p".repeat(P);
  const result = JSON.stringify("r".repeat(P));
  if (db.startsWith("postgres")) {
    const sql = postgres(db, { max: 1, onnotice: () => {} });
    for (let i = 0; i < T; i++) {
      await sql`INSERT INTO tasks (prompt, status, created_at, updated_at, worker_id, result_json, attempts, lease_seq)
                VALUES (${prompt}, 'done', ${now}::float8, ${now}::float8, 'old', ${result}, 1, 1)`;
    }
    await sql.end();
    return;
  }
  const sqlite = openDb(db);
  const insert = sqlite.prepare(
    "INSERT INTO tasks (prompt, status, created_at, updated_at, worker_id, result_json, attempts, lease_seq) VALUES (?, 'done', ?, ?, 'old', ?, 1, 1)",
  );
  sqlite.transaction(() => {
    for (let i = 0; i < T; i++) insert.run(prompt, now, now, result);
  })();
  sqlite.close();
}

/** The byte length of the raw reply line to `list` (read without parsing). */
function rawReplyBytes(port, params) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let bytes = 0;
    socket.on("connect", () => socket.write(`${JSON.stringify({ id: 1, method: "list", params })}\n`));
    socket.on("data", (d) => {
      const nl = d.indexOf(10);
      bytes += nl < 0 ? d.length : nl;
      if (nl >= 0) {
        socket.destroy();
        resolve(bytes);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(bytes));
  });
}

function open(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.on("error", () => {});
    socket.once("error", reject);
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function startHubProcess(db, extra) {
  const argv = [process.execPath, BIN, "hub", "--port", "0", "--print-url", "--db", db, ...extra];
  // --hub-nofile N: the hub runs under `ulimit -n N` (the bench itself keeps its own limit).
  const child = values["hub-nofile"]
    ? spawn("sh", ["-c", `ulimit -n ${Number(values["hub-nofile"])} && exec "$@"`, "sh", ...argv], { stdio: ["ignore", "pipe", "inherit"] })
    : spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
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
