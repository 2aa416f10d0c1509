// One run, one report folder: a lock (a second run is refused, a stale lock taken over), a rerun starts clean,
// a folder that holds something else is refused, reports are replaced atomically.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import t from "tap";
import { BIN, cliEnv, ROOT, runCli } from "../helpers/cli.ts";

const MANIFEST = `${ROOT}/test/fixtures/limits/folder.yaml`;

const runStarts = (out: string) =>
  readFileSync(join(out, "events.ndjson"), "utf8")
    .trim()
    .split("\n")
    .filter((l) => (JSON.parse(l) as { type: string }).type === "run-start").length;

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

t.test("a second run into a folder in use is refused with exit 2, naming the holder", async (t) => {
  const dir = t.testdir();
  const out = join(dir, "out");
  const release = join(dir, "release");
  const first = spawn(process.execPath, [BIN, "matrix", "--manifest", MANIFEST, "--include", "wait", "--out-dir", out, "--reporter", "none"], {
    env: { ...cliEnv(), FIXTURE_RELEASE: release },
    stdio: "ignore",
  });
  const exited = new Promise<number | null>((resolve) => first.once("exit", resolve));
  t.teardown(() => {
    first.kill();
  });
  await until(() => existsSync(join(out, "wait", "smoke")) || existsSync(join(out, "events.ndjson")), "the first run to start");
  const second = await runCli(["matrix", "--manifest", MANIFEST, "--include", "wait", "--out-dir", out, "--reporter", "none"]);
  t.equal(second.code, 2);
  t.match(second.stderr, new RegExp(`another run is writing to .*out: pid ${first.pid} on ${hostname()}, started \\d{4}-`));
  writeFileSync(release, "");
  t.equal(await exited, 0, "the first run finishes undisturbed");
  t.equal(runStarts(out), 1, "one run in events.ndjson");
  t.notOk(existsSync(join(out, ".mittelo.lock")), "the lock is released");
});

t.test("a stale lock of a dead process is taken over with a line saying so", async (t) => {
  const out = t.testdir();
  const dead = spawn("true");
  await new Promise((resolve) => dead.once("exit", resolve));
  writeFileSync(
    join(out, ".mittelo.lock"),
    JSON.stringify({ pid: dead.pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z", command: "mittelo matrix" }),
  );
  const result = await runCli(["matrix", "--manifest", MANIFEST, "--include", "wait", "--out-dir", out, "--reporter", "none"]);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stderr, `took over the lock of ${out}: the run that held it is gone (pid ${dead.pid} on ${hostname()}, started 2026-01-01T00:00:00.000Z`);
  t.notOk(existsSync(join(out, ".mittelo.lock")));
});

t.test("a rerun into the same folder starts it clean: one run in events.ndjson, no artifact of the last run", async (t) => {
  const out = t.testdir();
  t.equal((await runCli(["matrix", "--manifest", MANIFEST, "--include", "wait", "--out-dir", out, "--reporter", "none"])).code, 0);
  writeFileSync(join(out, "wait", "smoke", "left-over.txt"), "from the first run");
  const again = await runCli(["matrix", "--manifest", MANIFEST, "--include", "wait", "--out-dir", out, "--reporter", "none"]);
  t.equal(again.code, 0, again.stderr);
  t.match(again.stderr, `mittelo: replaced the previous report in ${out} (run of 20`);
  t.equal(runStarts(out), 1);
  t.notOk(existsSync(join(out, "wait", "smoke", "left-over.txt")));
  t.same(
    readdirSync(out).filter((name) => name.includes(".tmp") || name.startsWith(".mittelo")),
    [],
    "no temp file or lock left behind",
  );
});

t.test("a folder that holds files of its own is refused, and nothing in it is touched", async (t) => {
  const out = t.testdir({ "notes.txt": "mine\n" });
  mkdirSync(join(out, "src"));
  const result = await runCli(["matrix", "--manifest", MANIFEST, "--include", "wait", "--out-dir", out, "--reporter", "none"]);
  t.equal(result.code, 2);
  t.match(result.stderr, "is not empty and holds no mittelo report (notes.txt, src)");
  t.same(readdirSync(out).sort(), ["notes.txt", "src"]);
});
