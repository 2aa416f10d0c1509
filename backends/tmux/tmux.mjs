#!/usr/bin/env node
// tmux: runs a command inside a tmux pane and reads its answer back.
//
// The prompt (stdin) is written to a private file; the pane's shell gets ONE line that runs
//   MITTELO_TMUX_COMMAND < prompt-file > answer-file 2> error-file; echo $? > rc-file; tmux wait-for -S <nonce channel>
// and this wrapper blocks on `tmux wait-for <nonce channel>`. Completion is that signal, never a sleep; the prompt
// never appears in a shell string (only file paths do).
//
//   MITTELO_TMUX_TARGET   pane to use (e.g. `work:1.0`), which must be at a POSIX shell prompt. Unset: a private
//                         server (its own -L socket, no ~/.tmux.conf) is started for this run and killed afterwards.
//   MITTELO_TMUX_SOCKET   -L socket name of the target's server (default: tmux's default server).
//   MITTELO_TMUX_COMMAND  the command run in the pane: reads the prompt on stdin, answers on stdout. Default `cat`.
//   MITTELO_TMUX_TIMEOUT  seconds to wait for the end signal (default 600); the harness's own timeout still applies.
// Answer on stdout only; diagnostics on stderr; exit code = the command's exit code.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const env = process.env;
const nonce = randomBytes(8).toString("hex");
const channel = `mittelo-${nonce}`;
const target = env.MITTELO_TMUX_TARGET || undefined;
const socket = target ? env.MITTELO_TMUX_SOCKET || undefined : `mittelo-${process.pid}-${nonce}`;
const command = env.MITTELO_TMUX_COMMAND || "cat";
const timeoutMs = Math.max(1, Number(env.MITTELO_TMUX_TIMEOUT) || 600) * 1000;
const workdir = env.MITTELO_SUBPROCESS_WORKDIR || process.cwd();
const socketArgs = socket ? ["-L", socket] : [];
const dir = mkdtempSync(join(tmpdir(), "mittelo-tmux-"));
const files = { prompt: join(dir, "prompt"), out: join(dir, "out"), err: join(dir, "err"), rc: join(dir, "rc") };
let waiter;

function tmux(args, options = {}) {
  const result = spawnSync("tmux", [...socketArgs, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options });
  if (result.error) throw new Error(`tmux: ${result.error.code === "ENOENT" ? "not found on PATH" : result.error.message}`);
  if (result.status !== 0) throw new Error(`tmux ${args[0]}: ${(result.stderr || "").trim() || `exit ${result.status}`}`);
  return result.stdout;
}

function cleanup() {
  waiter?.kill("SIGKILL");
  if (!target) {
    spawnSync("tmux", [...socketArgs, "kill-server"], { stdio: "ignore" });
    // kill-server leaves the socket file behind.
    rmSync(join(env.TMUX_TMPDIR || "/tmp", `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Single-quotes a path for the pane's shell (our paths come from mkdtemp; quotes are escaped anyway). */
const q = (text) => `'${text.replaceAll("'", `'\\''`)}'`;

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function waitForSignal() {
  return new Promise((resolve, reject) => {
    waiter = spawn("tmux", [...socketArgs, "wait-for", channel], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    waiter.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => reject(new Error(`no answer marker within ${timeoutMs / 1000}s (channel ${channel})`)), timeoutMs);
    waiter.on("error", (error) => reject(error));
    waiter.on("exit", (code) => {
      clearTimeout(timer);
      waiter = undefined;
      if (code === 0) resolve();
      else reject(new Error(`tmux wait-for: ${stderr.trim() || `exit ${code}`} (did the pane's server stop?)`));
    });
  });
}

async function main() {
  writeFileSync(files.prompt, await readStdin());
  let pane = target;
  if (!pane) {
    tmux(["-f", "/dev/null", "new-session", "-d", "-s", "mittelo", "-x", "200", "-y", "50", "-c", workdir, "/bin/sh"]);
    pane = "mittelo:0.0";
  }
  const signal = ["tmux", ...socketArgs.map(q), "wait-for", "-S", channel].join(" ");
  // Leading space: shells with HISTCONTROL=ignorespace keep it out of the history.
  const line = ` ${command} < ${q(files.prompt)} > ${q(files.out)} 2> ${q(files.err)}; echo $? > ${q(files.rc)}; ${signal}`;
  const done = waitForSignal(); // waiting before sending: the signal cannot be missed
  tmux(["send-keys", "-t", pane, "-l", "--", line]);
  tmux(["send-keys", "-t", pane, "Enter"]);
  await done;
  const rc = Number.parseInt(readFileSync(files.rc, "utf8").trim(), 10);
  process.stderr.write(readFileSync(files.err));
  process.stdout.write(readFileSync(files.out));
  return Number.isInteger(rc) ? rc : 1;
}

for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) {
  process.on(sig, () => {
    cleanup();
    process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGHUP" ? 1 : 15));
  });
}

main()
  .then((code) => {
    cleanup();
    process.exitCode = code;
  })
  .catch((error) => {
    cleanup();
    process.stderr.write(`tmux backend: ${error.message}\n`);
    process.exitCode = 1;
  });
