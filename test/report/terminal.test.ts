// The matrix on a real terminal (tmux on a private -L socket) and through pipes: the human report by default on a
// terminal (colours unless NO_COLOR, the live progress gone once the report is printed), TAP when piped, in CI or with
// --reporter tap; Ctrl-C stops the run with exit 130; a reader that goes away (`| head`) never crashes mittelo.
import { execFile, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { execa } from "execa";
import t, { type Test } from "tap";
import { waitFor } from "../fixtures/dashboard/helpers.ts";
import { BIN, ROOT } from "../helpers/cli.ts";

const run = promisify(execFile);
const hasTmux = spawnSync("tmux", ["-V"], { stdio: "ignore" }).status === 0;
const PROMPT = "mittelo-test$ ";
const MANIFEST = join(ROOT, "test", "fixtures", "matrix", "matrix.yaml");
/** A user's shell: no CI, no colour preference, no test runner's loader. */
const ENV = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TERM: "xterm-256color", LANG: "C.UTF-8" };

function privateTmux(t: Test): (...args: string[]) => Promise<string> {
  const socket = `mittelo-test-${randomBytes(6).toString("hex")}`;
  const tmux = async (...args: string[]) => (await run("tmux", ["-L", socket, "-f", "/dev/null", ...args], { env: ENV, cwd: ROOT })).stdout;
  t.teardown(async () => {
    const path = (await tmux("display", "-p", "#{socket_path}").catch(() => "")).trim();
    await tmux("kill-server").catch(() => {});
    if (path.endsWith(socket)) rmSync(path, { force: true });
  });
  return tmux;
}

t.test("the matrix in a real terminal", { skip: hasTmux ? false : "tmux is not installed (apt-get install tmux)" }, async (t) => {
  const tmux = privateTmux(t);
  const out = t.testdir();
  await tmux("new-session", "-d", "-s", "m", "-x", "160", "-y", "50", "env", "-i", ...Object.entries(ENV).map(([k, v]) => `${k}=${v}`), "sh");
  await tmux("send-keys", "-t", "m", `PS1='${PROMPT}'; clear`, "Enter");
  const screen = (escapes = false) => tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", "m");
  await waitFor("the prompt", screen, (s) => s.trimEnd() === PROMPT.trimEnd());
  /** Types a command, waits for it to finish (its exit code is echoed) and returns the screen. */
  const command = async (line: string, options: { escapes?: boolean } = {}) => {
    await tmux("send-keys", "-t", "m", "clear", "Enter");
    await waitFor("a clear screen", screen, (s) => s.trimEnd() === PROMPT.trimEnd());
    await tmux("send-keys", "-t", "m", `${line}; echo "exit=$?"`, "Enter");
    return waitFor(
      line,
      () => screen(options.escapes),
      (s) => /exit=\d+/.test(s),
      120_000,
    );
  };
  const matrix = `node ${BIN} matrix --manifest ${MANIFEST} --include pass --include fail --include absent`;

  const human = await command(`${matrix} --out-dir ${join(out, "a")}`, { escapes: true });
  t.match(human, "exit=0");
  t.notMatch(human, "TAP version", "not TAP on a terminal");
  const plain = human.replace(/\u001b\[[0-9;]*m/g, "");
  for (const name of ["pass", "fail", "absent"])
    t.equal(plain.split("\n").filter((l) => new RegExp(`^ \\S ${name} +[A-Z]{4}`).test(l)).length, 1, `one line for ${name}`);
  t.match(plain, /^ ✔ pass +PASS/m);
  t.match(plain, /^ ✘ fail +FAIL/m);
  t.match(plain, /^ ○ absent +SKIP +missing-binary: mittelo-no-such-binary-xyz not found on PATH → npm install -g mittelo-no-such-binary-xyz@1\.0\.0$/m);
  t.match(plain, /^PASS 1 · FAIL 1 · SKIP 1 · ERROR 0 — all as expected · /m, "a one-line total");
  t.match(plain, /^reports: \S*\/a\/ \(summary\.md, matrix\.json, junit\.xml\)$/m, "where the reports are");
  t.notMatch(plain, /preflight…|running /, "the live progress is gone once the report is printed");
  t.notMatch(plain, /searched PATH/, "no PATH dump");
  t.match(human, "\u001b[32m✔", "colours on a terminal");

  const noColor = await command(`NO_COLOR=1 ${matrix} --out-dir ${join(out, "b")}`, { escapes: true });
  t.match(noColor, /^ ✔ pass +PASS/m);
  t.notMatch(noColor, /\u001b\[3\dm/, "NO_COLOR: no colour codes");

  const tap = await command(`${matrix} --reporter tap --out-dir ${join(out, "c")}`);
  t.match(tap, "TAP version 14", "--reporter tap on a terminal");
  const ci = await command(`CI=true ${matrix} --out-dir ${join(out, "d")}`);
  t.match(ci, "TAP version 14", "TAP in CI");

  // Ctrl-C while a case runs: everything stops, the reports cover what finished, exit 130.
  await tmux("send-keys", "-t", "m", "clear", "Enter");
  await tmux(
    "send-keys",
    "-t",
    "m",
    `node ${BIN} matrix --manifest ${MANIFEST} --include hang --timeout 120s --out-dir ${join(out, "e")}; echo "exit=$?"`,
    "Enter",
  );
  await waitFor(
    "the hang case to start",
    () => (existsSync(join(out, "e", "events.ndjson")) ? readFileSync(join(out, "e", "events.ndjson"), "utf8") : ""),
    (s) => s.includes('"case-start"'),
    60_000,
  );
  await tmux("send-keys", "-t", "m", "C-c");
  const stopped = await waitFor(
    "exit after Ctrl-C",
    () => screen(),
    (s) => /exit=\d+/.test(s),
    30_000,
  );
  t.match(stopped, "exit=130", "Ctrl-C exits 130");
  t.match(stopped, /^ ! hang +ERROR/m, "the interrupted case is reported");
  t.ok(existsSync(join(out, "e", "matrix.json")), "the reports were written");
});

t.test("Ctrl-C (SIGINT) to a run without a terminal: exit 130, reports written, nothing left running", async (t) => {
  const out = t.testdir();
  const child = spawn(process.execPath, [BIN, "matrix", "--manifest", MANIFEST, "--include", "hang", "--timeout", "120s", "--out-dir", out], {
    env: ENV,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await waitFor(
    "the case to start",
    () => (existsSync(join(out, "events.ndjson")) ? readFileSync(join(out, "events.ndjson"), "utf8") : ""),
    (s) => s.includes('"case-start"'),
    60_000,
  );
  child.kill("SIGINT");
  t.equal(await exited, 130, stderr);
  t.match(stderr, "mittelo: SIGINT: stopped what was running");
  const report = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as { backends: Array<{ name: string; outcome: string }> };
  t.match(report.backends, [{ name: "hang", outcome: "ERROR" }]);
  const left = spawnSync("pgrep", ["-f", join("fixtures", "matrix", "backends", "hang")], { encoding: "utf8" }).stdout.trim();
  t.equal(left, "", "the backend's process group was killed");
});

t.test("a reader that goes away never crashes mittelo (EPIPE)", async (t) => {
  const out = t.testdir();
  for (const args of [
    ["--help"],
    ["validate", "--manifest", MANIFEST],
    ["matrix", "--manifest", MANIFEST, "--list"],
    ["matrix", "--manifest", MANIFEST, "--include", "pass", "--reporter", "tap", "--out-dir", out],
  ]) {
    // `| true` closes the pipe before mittelo writes: its next write fails with EPIPE.
    const line = `node ${BIN} ${args.map((a) => `'${a}'`).join(" ")} | true; echo "mittelo exit=\${PIPESTATUS[0]}" >&2`;
    const result = await execa("bash", ["-c", line], { env: ENV, reject: false });
    t.match(result.stderr, "mittelo exit=0", args.join(" "));
    t.notMatch(result.stderr, /Error: write EPIPE|Unhandled 'error'|\n\s+at /, `${args[0]}: no error and no stack`);
  }
  t.ok(existsSync(join(out, "matrix.json")), "the run still wrote its reports");
});
