#!/usr/bin/env node
// Start-up benchmark: runs commands side by side, alternating, N times each, and prints the medians of
//   wall   the whole command, start to exit
//   cpu    user + sys of the process tree (every descendant the command waited for)
//   rss    peak resident set of the largest process of that tree
// measured by GNU time (`/usr/bin/time -f`, which reads them from wait4's rusage), so a Python and a Node command are
// measured the same way.
//
//   node bench/startup.mjs version [--n 10]
//       `node -e 0` against `mittelo --version` (goal: ≤ 2.5×)
//   node bench/startup.mjs harness --ref /tmp/ref [--ours DIR] [--before DIR] [--n 5]
//       the reference Python script `scripts/run_backend_matrix.py` (run in its repository, --ref) against
//       `npx zx harness/run.mjs` run in --ours (default: this repository; use a fresh clone with `npm ci` done) and,
//       with --before, in a second clone (e.g. of main before a change). Goals: ≤ 0.5× the reference's wall time,
//       less CPU than it, peak RSS ≤ 100 MB.
//   node bench/startup.mjs command -- CMD ARGS…   one command, for profiling a change
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const TIME = "/usr/bin/time";
const here = resolve(new URL("..", import.meta.url).pathname);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    n: { type: "string" },
    ref: { type: "string" },
    ours: { type: "string" },
    before: { type: "string" },
    json: { type: "boolean", default: false },
  },
});

if (!existsSync(TIME)) {
  console.error(`${TIME} (GNU time) is needed to measure the CPU time and peak RSS of a process tree: apt-get install time`);
  process.exit(2);
}

/** Runs `argv` once in `cwd` under GNU time; returns seconds of wall and CPU, and the peak RSS in MB. */
function measure({ argv, cwd, env }) {
  const dir = mkdtempSync(join(tmpdir(), "mittelo-bench-startup-"));
  const out = join(dir, "time.txt");
  try {
    const started = process.hrtime.bigint();
    const run = spawnSync(TIME, ["-o", out, "-f", "%e %U %S %M", ...argv.map((a) => a.replaceAll("{out}", join(dir, "out")))], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    const [, user, sys, rssKb] = readFileSync(out, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
    return { wall, cpu: user + sys, rss: rssKb / 1024, status: run.status, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Alternates the commands N times (after one warm-up round) and returns each one's medians and range. */
function compare(commands, n) {
  for (const c of commands) {
    const warm = measure(c);
    if (warm.status !== c.expectStatus && c.expectStatus !== undefined) {
      console.error(`${c.name}: exit ${warm.status}, expected ${c.expectStatus}\n${warm.stderr.slice(-2000)}`);
      process.exit(1);
    }
  }
  const samples = new Map(commands.map((c) => [c.name, []]));
  for (let i = 0; i < n; i++) for (const c of commands) samples.get(c.name).push(measure(c));
  return commands.map((c) => {
    const runs = samples.get(c.name);
    const pick = (k) => runs.map((r) => r[k]);
    return {
      name: c.name,
      wall: median(pick("wall")),
      wallMin: Math.min(...pick("wall")),
      wallMax: Math.max(...pick("wall")),
      cpu: median(pick("cpu")),
      rss: median(pick("rss")),
      rssMax: Math.max(...pick("rss")),
      n: runs.length,
    };
  });
}

function print(rows, reference) {
  if (values.json) {
    console.log(JSON.stringify(rows));
    return;
  }
  const ref = rows.find((r) => r.name === reference);
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`${"command".padEnd(width)}  wall s (min–max)      cpu s   peak RSS MB${ref ? `   wall × ${reference}   cpu × ${reference}` : ""}`);
  for (const r of rows) {
    const range = `(${r.wallMin.toFixed(2)}–${r.wallMax.toFixed(2)})`;
    const ratios = ref ? `   ${(r.wall / ref.wall).toFixed(2).padStart(8)}×   ${(r.cpu / ref.cpu).toFixed(2).padStart(8)}×` : "";
    console.log(
      `${r.name.padEnd(width)}  ${r.wall.toFixed(3).padStart(6)} ${range.padEnd(14)} ${r.cpu.toFixed(2).padStart(6)}   ${r.rss.toFixed(0).padStart(6)} (max ${r.rssMax.toFixed(0)})${ratios}`,
    );
  }
  console.log(`medians of ${rows[0]?.n} alternating runs each (after one warm-up run), ${new Date().toISOString()}, load ${readLoad()}`);
}

function readLoad() {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

const suite = positionals[0] ?? "version";
if (suite === "version") {
  const n = Number(values.n ?? 10);
  const ours = resolve(values.ours ?? here);
  print(
    compare(
      [
        { name: "node -e 0", argv: ["node", "-e", "0"], cwd: ours },
        { name: "mittelo --version", argv: ["node", join(ours, "bin", "mittelo.mjs"), "--version"], cwd: ours, expectStatus: 0 },
      ],
      n,
    ),
    "node -e 0",
  );
} else if (suite === "harness") {
  const n = Number(values.n ?? 5);
  if (!values.ref) {
    console.error("--ref DIR: the reference Python project (git --git-dir=/work/.mirror/taituo+mittelo/repo archive HEAD | tar -x -C DIR)");
    process.exit(2);
  }
  // No AI CLI installed is the point of the comparison; the environment is the caller's (PATH included).
  const commands = [
    { name: "reference run_backend_matrix.py", argv: ["python3", "scripts/run_backend_matrix.py", "--out-dir", "{out}"], cwd: resolve(values.ref) },
    { name: "ours: npx zx harness/run.mjs", argv: ["npx", "zx", "harness/run.mjs", "--out-dir", "{out}"], cwd: resolve(values.ours ?? here), expectStatus: 0 },
  ];
  if (values.before) {
    commands.push({
      name: "before: npx zx harness/run.mjs",
      argv: ["npx", "zx", "harness/run.mjs", "--out-dir", "{out}"],
      cwd: resolve(values.before),
      expectStatus: 0,
    });
  }
  print(compare(commands, n), commands[0].name);
} else if (suite === "command") {
  const argv = positionals.slice(1);
  if (!argv.length) {
    console.error("usage: node bench/startup.mjs command -- CMD ARGS…");
    process.exit(2);
  }
  print(compare([{ name: argv.join(" "), argv, cwd: process.cwd() }], Number(values.n ?? 5)));
} else {
  console.error(`unknown suite '${suite}': version, harness or command`);
  process.exit(2);
}
