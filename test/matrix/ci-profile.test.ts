// The shipped manifest under --profile ci: echo PASS, every other backend SKIP, exit 0 — with no AI CLI on PATH.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { spawnCli } from "../helpers/cli.ts";
import { parseTap } from "../helpers/tap-parse.ts";

t.test("--profile ci on the shipped matrix.yaml", async (t) => {
  const out = t.testdir();
  const home = t.testdir();
  // A PATH with node and the basics only, so the result does not depend on what this machine has installed.
  const path = [join(process.execPath, ".."), "/usr/bin", "/bin"].join(":");
  const result = await spawnCli(["matrix", "--profile", "ci", "--out-dir", join(out, "r")], { env: { PATH: path, HOME: home, CI: "true" }, clean: true });
  t.equal(result.code, 0, result.stderr);
  const tap = await parseTap(result.stdout);
  t.same(tap.parseErrors, []);
  t.equal(tap.ok, true);
  const report = JSON.parse(readFileSync(join(out, "r", "matrix.json"), "utf8")) as {
    backends: Array<{ name: string; outcome: string; reason: string; hint: string | null }>;
  };
  for (const b of report.backends) {
    if (b.name === "echo") t.equal(b.outcome, "PASS", "echo passes");
    else if (b.name === "tmux") t.not(b.outcome, "FAIL", "tmux (a local tool, not an AI CLI) passes when installed, else skips");
    else {
      t.equal(b.outcome, "SKIP", `${b.name} skips`);
      t.ok(b.reason, `${b.name} says why`);
    }
  }
  t.ok(report.backends.length >= 13, "every declared backend is in the report");
});
