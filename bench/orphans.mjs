#!/usr/bin/env node
// The repeated attack of docs/ORPHANS.md (Linux): start each kind of Mittelö process with a backend that ignores
// SIGTERM and leaves a setsid grandchild, kill it (-9, or TERM for the npx launcher), and measure how long until no
// process carries the attack's mark and no mittelo-* folder is left in its TMPDIR. Prints one row per kind.
// Usage: node bench/orphans.mjs [--rounds 1]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "1" } } });
const ROOT = new URL("..", import.meta.url).pathname;
const BIN = join(ROOT, "bin/mittelo.mjs");
const MANIFEST = join(ROOT, "test/fixtures/orphans/matrix.yaml");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Live processes whose environment holds `entry` (pid and command line). */
function marked(entry) {
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, "latin1").split("\0").includes(entry)) continue;
      if (/\) Z /.test(readFileSync(`/proc/${name}/stat`, "utf8"))) continue;
      found.push(`${name} ${readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ").trim()}`);
    } catch {
      // gone
    }
  }
  return found;
}

async function until(check, ms) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** A hub outside the attack (not marked), for the agent and the swarm. */
async function startHub(dir) {
  const hub = spawn(process.execPath, [BIN, "hub", "--port", "0", "--print-url", "--db", join(dir, "hub.db")], { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  hub.stdout.on("data", (d) => {
    out += d;
  });
  await until(() => /MITTELO_HUB tcp:\/\/[^\s]+:(\d+)/.test(out), 60_000);
  const port = /MITTELO_HUB tcp:\/\/[^\s]+:(\d+)/.exec(out)[1];
  const enqueue = (n) =>
    new Promise((resolve) => {
      const c = spawn(process.execPath, [BIN, "enqueue", "--port", port, "--prompt", `never answered ${n}`], { stdio: "ignore" });
      c.on("exit", resolve);
    });
  return { port, enqueue, stop: () => hub.kill("SIGKILL") };
}

const KINDS = {
  matrix: { sleeps: 2, args: (_, out) => [BIN, "matrix", "--manifest", MANIFEST, "--reporter", "none", "--out-dir", out] },
  exec: { sleeps: 2, args: () => [BIN, "exec", "--manifest", MANIFEST, "--backend", "stubborn"], stdin: true },
  agent: { sleeps: 2, hub: 1, args: (port) => [BIN, "agent", "--manifest", MANIFEST, "--backend", "stubborn", "--port", port] },
  swarm: { sleeps: 4, hub: 2, args: (port) => [BIN, "swarm", "--agent", "stubborn=2", "--manifest", MANIFEST, "--port", port] },
  "pair-smoke": {
    sleeps: 4,
    args: (_, out) => [BIN, "pair-smoke", "-a", "stubborn", "-b", "stubborn", "--tasks", "2", "--timeout-s", "120", "--manifest", MANIFEST, "--out-dir", out],
  },
  "npx zx (TERM)": {
    sleeps: 2,
    file: "npx",
    signal: "SIGTERM",
    args: (_, out) => ["zx", "harness/run.mjs", "--manifest", MANIFEST, "--reporter", "none", "--out-dir", out],
  },
};

const rows = [];
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [kind, spec] of Object.entries(KINDS)) {
    const dir = mkdtempSync(join(tmpdir(), "mittelo-bench-orphans-"));
    const tmp = join(dir, "tmp");
    mkdirSync(tmp);
    const entry = `MITTELO_BENCH_MARK=${process.pid}-${round}-${kind}`;
    const hub = spec.hub ? await startHub(dir) : undefined;
    for (let n = 1; n <= (spec.hub ?? 0); n++) await hub.enqueue(n);
    const child = spawn(spec.file ?? process.execPath, spec.args(hub?.port, join(dir, "out")), {
      cwd: ROOT,
      stdio: [spec.stdin ? "pipe" : "ignore", "ignore", "ignore"],
      env: { ...process.env, [entry.split("=")[0]]: entry.split("=")[1], TMPDIR: tmp },
    });
    if (spec.stdin) child.stdin.end("Return exactly: never\n");
    const started = await until(() => marked(entry).filter((p) => p.endsWith(" sleep 300")).length >= spec.sleeps, 90_000);
    const killedAt = performance.now();
    child.kill(spec.signal ?? "SIGKILL");
    const clean = await until(() => marked(entry).length === 0 && !readdirSync(tmp).some((n) => n.startsWith("mittelo-")), 60_000);
    const ms = Math.round(performance.now() - killedAt);
    const left = marked(entry);
    const folders = readdirSync(tmp).filter((n) => n.startsWith("mittelo-"));
    rows.push({ kind, started, clean, ms, left, folders });
    console.log(
      `${kind.padEnd(14)} ${started ? "" : "(never started) "}${clean ? `clean after ${ms} ms` : `NOT CLEAN after ${ms} ms`}  left: ${left.length ? left.join("; ") : "none"}${folders.length ? `  folders: ${folders.join(", ")}` : ""}`,
    );
    for (const p of left) process.kill(Number(p.split(" ")[0]), "SIGKILL");
    hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
process.exitCode = rows.every((r) => r.started && r.clean) ? 0 : 1;
