// The one shutdown rule (src/cli/stop-signal.ts) with real signals, in a process of its own (test/fixtures/signals/
// stoppable.ts): the first aborts the work and says so, the second runs the command's forceful path with the first
// signal and the exit code is 128 + the first's number, and no handler is left when the work ends.
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { ROOT } from "../helpers/cli.ts";
import { until } from "../helpers/poll.ts";

const FIXTURE = join(ROOT, "test/fixtures/signals/stoppable.ts");

/** Runs the fixture; sends `signals` one by one, each once the line of the one before is on stderr. */
async function run(scenario: string, signals: NodeJS.Signals[]) {
  const child = execa(process.execPath, ["--import", "tsx", FIXTURE, scenario], { cwd: ROOT, reject: false, timeout: 60_000, forceKillAfterDelay: false });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  if (!(await until(() => out.includes("ready\n"), 30_000))) throw new Error(`the fixture never got ready: ${err}`);
  for (const [i, signal] of signals.entries()) {
    child.kill(signal);
    if (!(await until(() => err.split("\n").length > i + 1, 10_000))) throw new Error(`no line for ${signal}: ${err}`);
  }
  const result = await child;
  const report = JSON.parse(String(result.stdout).split("\n").at(-1) ?? "") as {
    before: Record<string, number>;
    during: Record<string, number>;
    after: Record<string, number>;
    stopped: { value: number; signal?: string; forced?: boolean };
    forced: string[];
    firstSeen?: string;
    err: string;
  };
  return { exitCode: result.exitCode, ...report };
}

t.test("1st signal aborts the work with one line; the 2nd runs the forceful path with the first; exit 128 + the first", async (t) => {
  const r = await run("force", ["SIGTERM", "SIGINT"]);
  t.same(r.during, { SIGINT: r.before.SIGINT! + 1, SIGTERM: r.before.SIGTERM! + 1, SIGHUP: r.before.SIGHUP! + 1 }, "SIGHUP too with hangUp");
  t.same(r.after, r.before, "no handler is left when the work has ended");
  t.equal(r.firstSeen, "SIGTERM", "the work can tell which signal stopped it");
  t.same(r.stopped, { value: 42, signal: "SIGTERM", forced: true });
  t.same(r.forced, ["SIGTERM"], "the forceful path is given the FIRST signal");
  t.equal(r.err, "mittelo: SIGTERM: stopping the work\nmittelo: SIGINT: forcing the work to stop now\n");
  t.equal(r.exitCode, 143, "128 + SIGTERM, the first signal");
});

t.test("without a forceful path a second signal is only acknowledged; SIGHUP is left alone unless asked", async (t) => {
  const r = await run("ack", ["SIGINT", "SIGINT"]);
  t.same(r.during, { SIGINT: r.before.SIGINT! + 1, SIGTERM: r.before.SIGTERM! + 1, SIGHUP: r.before.SIGHUP }, "SIGHUP keeps its default (nohup works)");
  t.same(r.after, r.before);
  t.same(r.stopped, { value: 42, signal: "SIGINT" }, "not forced");
  t.equal(r.err, "mittelo: SIGINT: stopping the work\nmittelo: SIGINT: already stopping the work\n");
});

t.test("work that ends without a signal: nothing said, nothing left", async (t) => {
  const r = await run("quiet", []);
  t.same(r.stopped, { value: 0 });
  t.same(r.after, r.before);
  t.equal(r.err, "");
  t.equal(r.exitCode, 0);
});
