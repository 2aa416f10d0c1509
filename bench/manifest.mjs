#!/usr/bin/env node
// Manifest loading benchmark: read + validate + plan a manifest of N backends (flow maps, one per line), and of an
// alias_of chain N long, doubling N. Loading must be linear: the ratio time(2N)/time(N) should stay near 2.
// Prints CPU milliseconds (user + system) so a busy machine distorts the figures less than wall time.
// Usage: node --import tsx bench/manifest.mjs [--from 5000] [--steps 4]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openPlan } from "../src/manifest/open.ts";

const { values } = parseArgs({ options: { from: { type: "string", default: "5000" }, steps: { type: "string", default: "4" } } });
const root = mkdtempSync(join(tmpdir(), "mittelo-bench-manifest-"));
const shapes = {
  flat: (n) => Array.from({ length: n }, (_, i) => `  b${i}: { invoke: { argv: [echo, hi] }, requires: { binaries: [echo] } }`),
  chain: (n) => ["  b0: { invoke: { argv: [echo, hi] } }", ...Array.from({ length: n - 1 }, (_, i) => `  b${i + 1}: { alias_of: b${i} }`)],
};
try {
  for (const [shape, lines] of Object.entries(shapes)) {
    let previous;
    for (let step = 0, n = Number(values.from); step < Number(values.steps); step++, n *= 2) {
      const file = join(root, `${shape}-${n}.yaml`);
      writeFileSync(file, `version: 1\nbackends:\n${lines(n).join("\n")}\n`);
      const before = process.cpuUsage();
      const plan = await openPlan(file, {}, {});
      const used = process.cpuUsage(before);
      const ms = (used.user + used.system) / 1000;
      const ratio = previous ? ` (×${(ms / previous).toFixed(2)} for ×2 backends)` : "";
      console.log(`${shape} N=${n}: ${ms.toFixed(0)} ms CPU, ${plan.backends.length} planned${ratio}`);
      previous = ms;
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
