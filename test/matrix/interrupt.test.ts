// SIGTERM during preflight (matrix, backend-check): the probe in progress is killed at once (not left to its timeout), the backend is reported
// as not run because the run was interrupted (not "--bail", not a probe finding), the exit code is 1, and a second
// SIGTERM does not make the harness die before it has killed what it started: no process is left behind.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { BIN, ROOT } from "../helpers/cli.ts";
import { sandbox } from "../fixtures/clis/sandbox.ts";
import { until } from "../helpers/poll.ts";
import { isAlive as alive } from "../../src/util/pid.ts";

t.test(
  "SIGTERM twice while a --version probe hangs: probe killed, codex not run (interrupted), exit 143",
  { skip: process.platform !== "linux" && "reads pids" },
  async (t) => {
    const s = sandbox(t, ["hang/codex"]);
    const pids = mkdtempSync(join(tmpdir(), "mittelo-interrupt-"));
    const probe = () => readdirSync(pids).map((f) => Number(readFileSync(join(pids, f), "utf8")));
    t.teardown(() => {
      // Should the harness have left a probe behind (the defect this test is about), do not leave it to the machine.
      for (const pid of probe()) if (alive(pid)) process.kill(pid, "SIGKILL");
      rmSync(pids, { recursive: true, force: true });
    });
    const out = join(t.testdir(), "out");
    const child = execa("node", [BIN, "matrix", "--include", "codex", "--out-dir", out, "--reporter", "none"], {
      cwd: ROOT,
      env: { ...s.env, FAKE_PID_DIR: pids, CODEX_API_KEY: "x" },
      extendEnv: false,
      reject: false,
      forceKillAfterDelay: false,
    });
    t.ok(await until(() => probe().length > 0, 30_000), "the hanging --version probe runs");
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGTERM");
    const result = await child;
    t.equal(result.exitCode, 143, "an interrupted run exits 128 + SIGTERM, never 'as expected'", { stderr: result.stderr });
    t.match(result.stderr, "mittelo: SIGTERM: stopping; killing the running backends, then writing the reports");
    for (const pid of probe()) t.notOk(alive(pid), `the probe (pid ${pid}, which ignores SIGTERM) was killed`);
    t.ok(existsSync(join(out, "matrix.json")), "the reports were written");
    const report = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as {
      backends: Array<{ cases: Array<{ reason: string; message: string }> }>;
      mismatches: string[];
    };
    t.match(report.backends[0]?.cases[0], { reason: "interrupted", message: "not run: the run was interrupted (SIGINT/SIGTERM)" });
    t.match(report.mismatches, ["the run was interrupted (SIGINT/SIGTERM) before it finished"]);
  },
);

t.test("SIGTERM to backend-check while a probe hangs: the probe is killed, exit 143", { skip: process.platform !== "linux" && "reads pids" }, async (t) => {
  const s = sandbox(t, ["hang/codex"]);
  const pids = mkdtempSync(join(tmpdir(), "mittelo-interrupt-"));
  const probe = () => readdirSync(pids).map((f) => Number(readFileSync(join(pids, f), "utf8")));
  t.teardown(() => {
    for (const pid of probe()) if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(pids, { recursive: true, force: true });
  });
  const child = execa("node", [BIN, "backend-check", "--backend", "codex", "--probe-timeout", "60s"], {
    cwd: ROOT,
    env: { ...s.env, FAKE_PID_DIR: pids },
    extendEnv: false,
    reject: false,
    forceKillAfterDelay: false,
  });
  t.ok(await until(() => probe().length > 0, 30_000), "the hanging --version probe runs");
  child.kill("SIGTERM");
  const result = await child;
  t.equal(result.exitCode, 143, "exit 128 + SIGTERM", { stderr: result.stderr });
  t.match(result.stderr, "mittelo: SIGTERM: stopping the probes");
  for (const pid of probe()) t.notOk(alive(pid), `the probe (pid ${pid}) was killed`);
});
