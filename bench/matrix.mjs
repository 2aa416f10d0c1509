#!/usr/bin/env node
// Matrix benchmark: K folder-only fixture backends that each sleep S seconds, run at concurrency C.
// Prints wall time / S (ideal 1.0 when C >= K) and the harness overhead per backend.
// Usage: node bench/matrix.mjs [--k 8] [--s 1] [--concurrency 8]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";

const { values } = parseArgs({
  options: { k: { type: "string", default: "8" }, s: { type: "string", default: "1" }, concurrency: { type: "string", default: "8" } },
});
const K = Number(values.k);
const S = Number(values.s);
const C = Number(values.concurrency);
const root = mkdtempSync(join(tmpdir(), "mittelo-bench-matrix-"));
try {
  writeFileSync(
    join(root, "matrix.yaml"),
    `version: 1\ndefaults:\n  timeout: ${S * 10 + 10}s\n  cases:\n    - name: smoke\n      prompt: "Return exactly: mittelo smoke ok"\n      expect: { stdout: { contains: mittelo smoke ok } }\nbackends: {}\n`,
  );
  for (let i = 1; i <= K; i++) {
    const dir = join(root, "backends", `sleeper${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "run"), `#!/bin/sh\ncat >/dev/null\nsleep ${S}\necho "mittelo smoke ok"\n`, { mode: 0o755 });
  }
  const bin = new URL("../bin/mittelo.mjs", import.meta.url).pathname;
  const started = performance.now();
  const result = await execa(
    "node",
    [bin, "matrix", "--manifest", join(root, "matrix.yaml"), "--out-dir", join(root, "out"), "--reporter", "none", "--concurrency", String(C)],
    { reject: false, env: { CI: "1" } },
  );
  const wallMs = performance.now() - started;
  const report = JSON.parse(readFileSync(join(root, "out", "matrix.json"), "utf8"));
  const passed = report.backends.filter((b) => b.outcome === "PASS").length;
  const runMs = report.durationMs;
  const ideal = Math.ceil(K / C) * S * 1000;
  console.log(`K=${K} S=${S}s concurrency=${C}: ${passed}/${K} PASS, exit ${result.exitCode}`);
  console.log(
    `matrix run (harness clock): ${(runMs / 1000).toFixed(2)} s  → ratio run/S = ${(runMs / (S * 1000)).toFixed(3)} (ideal ${(ideal / (S * 1000)).toFixed(1)})`,
  );
  console.log(`whole command incl. Node + loader start-up: ${(wallMs / 1000).toFixed(2)} s → ratio wall/S = ${(wallMs / (S * 1000)).toFixed(3)}`);
  console.log(`harness overhead per backend: ${((runMs - ideal) / K).toFixed(1)} ms (run) · ${((wallMs - ideal) / K).toFixed(1)} ms (incl. start-up)`);
  if (passed !== K) process.exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
