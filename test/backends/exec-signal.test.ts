// `mittelo exec` runs the CLI in a process group of its own. When whoever started it stops it (a harness timing out the
// wrapper that calls `mittelo exec`, as backends/glm/run does; Ctrl-C), the CLI must go too: exec kills its group and
// exits as a process killed by that signal would (128 + signal number).
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { BIN, ROOT, runCli } from "../helpers/cli.ts";
import { until } from "../helpers/poll.ts";
import { isAlive as alive } from "../../src/util/pid.ts";

/** A manifest with `inner` (a CLI that records its pid and sleeps) and `outer` (a wrapper that calls `mittelo exec` on it). */
function fixture(dir: string): { manifest: string; pidFile: string; inner: () => number | undefined } {
  const pidFile = join(dir, "inner.pid");
  const manifest = join(dir, "matrix.yaml");
  writeFileSync(
    manifest,
    [
      "version: 1",
      "defaults:",
      "  kill_grace: 300ms",
      "  cases: [{ name: smoke, prompt: hi }]",
      "backends:",
      `  inner: { invoke: { argv: [sh, -c, "echo $$ > ${pidFile}; exec sleep 300"] }, timeout: 120s }`,
      "  outer: { invoke: { wrapper: outer.sh }, timeout: 15s, expect: { default: fail } }",
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "outer.sh"), `#!/bin/sh\nexec node ${JSON.stringify(BIN)} exec --manifest ${JSON.stringify(manifest)} --backend inner\n`);
  chmodSync(join(dir, "outer.sh"), 0o755);
  const inner = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : undefined);
  return { manifest, pidFile, inner };
}

t.test("SIGTERM to mittelo exec kills the CLI it started and exits 143", async (t) => {
  const dir = t.testdir();
  const { manifest, inner } = fixture(dir);
  // Read while the test dir exists (tap removes it before teardowns run); killed there should the defect recur.
  let started: number | undefined;
  t.teardown(() => {
    if (started && alive(started)) process.kill(started, "SIGKILL");
  });
  const child = execa("node", [BIN, "exec", "--manifest", manifest, "--backend", "inner"], {
    cwd: ROOT,
    input: "hi",
    reject: false,
    forceKillAfterDelay: false,
  });
  t.ok(await until(() => inner() !== undefined, 30_000), "the CLI runs");
  started = inner();
  child.kill("SIGTERM");
  const result = await child;
  t.equal(result.exitCode, 143, "exit 128 + SIGTERM", { stderr: result.stderr });
  t.match(result.stderr, "mittelo exec inner: SIGTERM: stopped inner (its process group was killed)");
  t.ok(await until(() => !alive(inner() ?? 0), 5_000), "the CLI is gone");
});

t.test("the matrix timing out a wrapper that calls mittelo exec leaves no CLI behind", async (t) => {
  const dir = t.testdir();
  const { manifest, inner } = fixture(dir);
  let started: number | undefined;
  t.teardown(() => {
    if (started && alive(started)) process.kill(started, "SIGKILL");
  });
  const run = await runCli(["matrix", "--manifest", manifest, "--include", "outer", "--out-dir", join(dir, "out"), "--reporter", "none"]);
  t.equal(run.code, 0, "outer FAILs by timeout, as expected", { stderr: run.stderr });
  const pid = inner();
  started = pid;
  t.ok(pid, "the inner CLI ran");
  t.ok(await until(() => !alive(pid ?? 0), 5_000), "the inner CLI did not outlive the run");
});
