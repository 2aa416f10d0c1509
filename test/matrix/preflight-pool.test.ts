// Preflights have a pool of their own: a backend whose --version probe is slow does not hold the slot another
// backend's case waits for, even at concurrency 1.
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { spawnCli } from "../helpers/cli.ts";

t.test("a slow version probe does not delay another backend's case", async (t) => {
  const dir = t.testdir({
    bin: { "slowver-cli": "#!/bin/sh\nif [ \"$1\" = --version ]; then sleep 6; echo 'slowver 1.0.0'; exit 0; fi\ncat\n" },
    "matrix.yaml": [
      "version: 1",
      "defaults:",
      "  concurrency: 1",
      "  cases:",
      '    - { name: smoke, prompt: "Return exactly: ok", expect: { stdout: { contains: ok } } }',
      "backends:",
      "  echo: { invoke: { argv: [cat], builtin: echo } }",
      "  slowver:",
      "    invoke: { argv: [slowver-cli] }",
      "    requires: { binaries: [slowver-cli] }",
      '    version: { command: [slowver-cli, --version], pattern: "slowver (\\\\S+)", lock: 1.0.0 }',
      "",
    ].join("\n"),
  });
  chmodSync(join(dir, "bin", "slowver-cli"), 0o755);
  const out = join(dir, "out");
  const run = await spawnCli(["matrix", "--manifest", join(dir, "matrix.yaml"), "--reporter", "none", "--out-dir", out], {
    env: { PATH: `${join(dir, "bin")}:${process.env.PATH}` },
  });
  t.equal(run.code, 0, run.stderr);
  const events = readFileSync(join(out, "events.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; ts: string; backend?: string });
  const echoEnd = events.find((e) => e.type === "case-end" && e.backend === "echo");
  const slowPreflight = events.find((e) => e.type === "preflight" && e.backend === "slowver");
  t.ok(echoEnd && slowPreflight, "both happened");
  // With one shared slot, echo's case could only start once slowver's probe had given the slot back.
  t.ok(Date.parse(echoEnd?.ts ?? "") < Date.parse(slowPreflight?.ts ?? ""), "echo's case ran while slowver was still being probed");
});
