// MITTELO_PARENT_PID: a hub started by a process that is already gone stops at once; one whose variable names a
// live process that is not its parent (the variable leaked into a shell) keeps running. (The SIGKILLed pair smoke
// is covered in test/smoke/pair-timeout.test.ts.)
import { join } from "node:path";
import { execa } from "execa";
import t, { type Test } from "tap";
import { BIN, ROOT } from "../helpers/cli.ts";

const hub = (t: Test, parentPid: number) =>
  execa("node", [BIN, "hub", "--port", "0", "--print-url", "--db", join(t.testdir(), "q.db")], {
    cwd: ROOT,
    reject: false,
    timeout: 60_000, // a hub that never stops fails the test instead of hanging it
    forceKillAfterDelay: false, // kill() sends only the signal the test asks for
    env: { MITTELO_PARENT_PID: String(parentPid) },
  });

t.test("the process named in MITTELO_PARENT_PID is gone: the hub stops by itself", async (t) => {
  const dead = await execa("node", ["-e", "console.log(process.pid)"]);
  const run = await hub(t, Number(dead.stdout));
  t.equal(run.exitCode, 0, String(run.stderr));
  t.match(String(run.stderr), /the process that started it \(pid \d+\) is gone, shutting down/);
  t.match(String(run.stderr), /mittelo hub: stopped/);
});

t.test("a live process that is not the parent: the variable is ignored", async (t) => {
  const child = hub(t, process.ppid); // alive (the test runner), but the hub's parent is this test process
  t.teardown(() => {
    child.kill("SIGKILL");
  });
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const until = Date.now() + 30_000;
  while (!out.includes("MITTELO_HUB") && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  t.match(out, /MITTELO_HUB tcp:/);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // four watch intervals
  t.equal(child.exitCode, null, "still running");
  child.kill("SIGTERM");
  const done = await child;
  t.notMatch(String(done.stderr), /is gone/);
});
