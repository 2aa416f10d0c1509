// The live dashboard in a real terminal (tmux on a private socket): OFFLINE with the hub down, counts once it is up,
// counts change, r asks y/n and retries, the hub going away and coming back, and q / Ctrl-C / SIGTERM leave a clean prompt.
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { promisify } from "node:util";
import t, { type Test } from "tap";
import { connect, freePort, ROOT, startTestHub, waitFor } from "../fixtures/dashboard/helpers.ts";
import { cliEnv } from "../helpers/cli.ts";

const run = promisify(execFile);
const hasTmux = spawnSync("tmux", ["-V"], { stdio: "ignore" }).status === 0;
const PROMPT = "mittelo-test$ ";

/** A tmux server of our own (private socket, no user config), killed at teardown. */
function privateTmux(t: Test): (...args: string[]) => Promise<string> {
  const socket = `mittelo-test-${randomBytes(6).toString("hex")}`;
  const env = cliEnv({ ENV: "" });
  const tmux = async (...args: string[]) => (await run("tmux", ["-L", socket, "-f", "/dev/null", ...args], { env, cwd: ROOT })).stdout;
  t.teardown(async () => {
    const path = (await tmux("display", "-p", "#{socket_path}").catch(() => "")).trim();
    await tmux("kill-server").catch(() => {});
    if (path.endsWith(socket)) rmSync(path, { force: true });
  });
  return tmux;
}

t.test("live dashboard in tmux", { skip: hasTmux ? false : "tmux is not installed (apt-get install tmux)" }, async (t) => {
  const port = await freePort();
  const tmux = privateTmux(t);
  const screen = () => tmux("capture-pane", "-p", "-t", "dash");
  const until = (what: string, condition: (text: string) => boolean) => waitFor(what, screen, condition, 20_000);
  const alternate = async () => (await tmux("display", "-p", "-t", "dash", "#{alternate_on}")).trim();
  const dashboard = `node bin/mittelo.mjs dashboard --port ${port} --interval 200ms`;
  /** Back at a clean prompt: the alternate screen is left and the last non-blank line is the shell's prompt. */
  const backAtPrompt = async (what: string) => {
    const text = await until(what, (s) => s.trimEnd().endsWith(PROMPT.trimEnd()) && !s.includes("Mittelö dashboard"));
    t.equal(await alternate(), "0", `${what}: the alternate screen is left`);
    t.notMatch(text, /Error|\n\s+at /, `${what}: no error or stack trace`);
  };

  await tmux("new-session", "-d", "-s", "dash", "-x", "120", "-y", "40", "sh");
  // sh picks its own prompt for root: set one we can recognise.
  await tmux("send-keys", "-t", "dash", `PS1='${PROMPT}'; clear`, "Enter");
  await until("the shell prompt", (s) => s.trimEnd() === PROMPT.trimEnd());
  await tmux("send-keys", "-t", "dash", dashboard, "Enter");

  // The first frame waits for Node, the TypeScript loader (cold in a fresh clone) and ink: allow a loaded CI machine time.
  const offline = await waitFor("OFFLINE", screen, (s) => s.includes(`OFFLINE: cannot reach the hub at 127.0.0.1:${port}`), 90_000);
  t.match(offline, `start a hub: mittelo hub --host 127.0.0.1 --port ${port}`);
  t.match(offline, "error: connection refused: nothing listens there");
  await until("the retry countdown", (s) => /retrying in \ds/.test(s));
  t.equal(await alternate(), "1", "drawn on the alternate screen");

  let hub = await startTestHub(t, port);
  await until("counts once the hub is up", (s) => s.includes("queued 0 · leased 0 · done 0 · failed 0 · total 0"));
  const client = await connect(t, port);
  for (const prompt of ["alpha", "beta", "gamma"]) await client.call("enqueue", { prompt });
  await until("three queued", (s) => s.includes("queued 3 · leased 0 · done 0 · failed 0"));
  const leased = await client.call("lease", { worker_id: "agent-a", max_tasks: 3 });
  const [a, b] = leased.tasks.map((x) => x.task_id);
  await until("the active worker", (s) => /agent-a\s+3\s+\d+s/.test(s) && s.includes("Active workers (1)"));
  await client.call("ack", { task_id: a!, status: "done", result: "done well", worker_id: "agent-a" });
  await client.call("ack", { task_id: b!, status: "failed", error: "it broke", worker_id: "agent-a" });
  const counts = await until("counts change", (s) => s.includes("queued 0 · leased 1 · done 1 · failed 1"));
  t.match(counts, "throughput: 1 done in the last minute");
  t.match(counts, /2\s+failed\s+agent-a\s+\d+s\s+it broke/);
  const styled = await tmux("capture-pane", "-p", "-e", "-t", "dash");
  t.notMatch(styled, /\u001b\[[0-9;]*(3[0-7]|9[0-7]|38;)[0-9;]*m/, "NO_COLOR: no colour codes on the screen");

  await tmux("send-keys", "-t", "dash", "f");
  await until("the filter", (s) => s.includes("Recent tasks (filter: queued)") && s.includes("no queued tasks"));
  await tmux("send-keys", "-t", "dash", "r");
  await until("the confirmation", (s) => s.includes("retry 1 failed task(s)? y/n"));
  await tmux("send-keys", "-t", "dash", "n");
  await until("cancelled", (s) => s.includes("retry cancelled") && s.includes("failed 1"));
  await tmux("send-keys", "-t", "dash", "r");
  await until("the confirmation again", (s) => s.includes("retry 1 failed task(s)? y/n"));
  await tmux("send-keys", "-t", "dash", "y");
  await until("retried", (s) => s.includes("retried 1 failed task(s)") && s.includes("queued 1 · leased 1 · done 1 · failed 0"));

  client.close();
  await hub.close();
  await until("OFFLINE when the hub goes away", (s) => s.includes(`OFFLINE: cannot reach the hub at 127.0.0.1:${port}`));
  hub = await startTestHub(t, port);
  await until("back online with the new hub", (s) => s.includes("queued 0 · leased 0 · done 0 · failed 0 · total 0"));

  await tmux("resize-window", "-t", "dash", "-x", "60", "-y", "20");
  const narrow = await until("the narrow layout", (s) => s.includes("Mittelö dashboard · hub 127.0.0.1") && !s.includes("5 min average)"));
  for (const line of narrow.split("\n")) t.ok(Array.from(line).length <= 60, `fits 60 columns: ${line}`);

  await tmux("send-keys", "-t", "dash", "q");
  await backAtPrompt("q");

  // Ctrl-C in the terminal, and SIGTERM from outside, also leave a clean terminal.
  await tmux("send-keys", "-t", "dash", "clear", "Enter");
  await tmux("send-keys", "-t", "dash", dashboard, "Enter");
  await until("online again", (s) => s.includes("ONLINE"));
  await tmux("send-keys", "-t", "dash", "C-c");
  await backAtPrompt("Ctrl-C");

  await tmux("send-keys", "-t", "dash", "clear", "Enter");
  await tmux("send-keys", "-t", "dash", dashboard, "Enter");
  await until("online once more", (s) => s.includes("ONLINE"));
  const shellPid = (await tmux("display", "-p", "-t", "dash", "#{pane_pid}")).trim();
  const child = await waitFor(
    "the dashboard process",
    async () => (await run("ps", ["-o", "pid=", "--ppid", shellPid]).catch(() => ({ stdout: "" }))).stdout.trim(),
    (pid) => /^\d+$/.test(pid),
  );
  process.kill(Number(child), "SIGTERM");
  await backAtPrompt("SIGTERM");
  await hub.close();
});
