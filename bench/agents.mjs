#!/usr/bin/env node
// End-to-end swarm benchmark: a hub, W echo agents (real processes, already leasing), then N tasks enqueued
// (pipelined); measures from the first enqueue to the last task done, and checks every task was done exactly once.
// Usage: node --import tsx bench/agents.mjs [--n 500] [--agents 4]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { HubClient } from "../src/hub/client.ts";
import { startHub } from "../src/hub/start.ts";

const { values } = parseArgs({ options: { n: { type: "string", default: "500" }, agents: { type: "string", default: "4" } } });
const N = Number(values.n);
const W = Number(values.agents);
const dir = mkdtempSync(join(tmpdir(), "mittelo-bench-agents-"));
const bin = new URL("../bin/mittelo.mjs", import.meta.url).pathname;
const manifest = new URL("../matrix.yaml", import.meta.url).pathname;
const hub = await startHub({ host: "127.0.0.1", port: 0, db: join(dir, "hub.db"), leaseSeconds: 60, maxAttempts: 5, maxLineBytes: 8 * 1024 * 1024 });
const agents = [];
try {
  let leasing = 0;
  const ready = new Promise((resolve) => {
    for (let i = 1; i <= W; i++) {
      const child = execa(
        "node",
        [
          bin,
          "agent",
          "--backend",
          "echo",
          "--manifest",
          manifest,
          "--port",
          String(hub.tcp.port),
          "--worker-id",
          `bench-${i}`,
          "--wait",
          "5s",
          "--no-preflight",
        ],
        { reject: false, stdin: "ignore" },
      );
      child.stderr.on("data", (chunk) => {
        if (String(chunk).includes("leasing from") && ++leasing === W) resolve();
      });
      agents.push(child);
    }
  });
  await ready;
  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.tcp.port });
  const started = performance.now();
  await Promise.all(Array.from({ length: N }, (_, i) => client.call("enqueue", { prompt: `Return exactly: bench ${i}` })));
  const enqueued = performance.now();
  let stats;
  do {
    stats = (await client.call("stats")).stats;
  } while (stats.done + stats.failed < N);
  const finished = performance.now();
  const { tasks } = await client.call("list", { limit: 0 });
  const wrong = tasks.filter((t) => t.status !== "done" || t.result !== `bench ${t.prompt.split(" ").pop()}` || t.attempts !== 1).length;
  const perWorker = {};
  for (const t of tasks) perWorker[t.worker_id] = (perWorker[t.worker_id] ?? 0) + 1;
  console.log(
    `${N} echo tasks through ${W} agents: ${((finished - started) / 1000).toFixed(3)} s end to end (enqueue took ${((enqueued - started) / 1000).toFixed(3)} s) → ${(N / ((finished - started) / 1000)).toFixed(0)} tasks/s`,
  );
  console.log(`exactly once: ${wrong === 0 ? "yes" : `NO (${wrong} wrong)`} · split ${JSON.stringify(perWorker)}`);
  client.close();
  if (wrong) process.exitCode = 1;
} finally {
  for (const a of agents) a.kill("SIGTERM");
  await Promise.all(agents);
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
}
