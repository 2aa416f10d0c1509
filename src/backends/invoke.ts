// The one place a backend process is spawned: argv array, prompt on stdin then EOF, its own process group,
// timeout with SIGTERM then SIGKILL to the whole group, capped capture, and gate detection. Each invocation carries
// a mark of its own below the run's (MITTELO_RUN), so what escaped the group (setsid) is found and killed with it.
import { execa } from "execa";
import { newMark, RUN_MARK_ENV, signalMarked } from "../util/run-mark.ts";
import { CappedCapture, Tail } from "./capture.ts";
import type { RunRecord } from "./run-record.ts";

export interface InvokeRequest {
  argv: string[];
  /** Written to stdin, which is then closed (an empty string still closes it). */
  stdin: string;
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  killGraceMs: number;
  outputCapBytes: number;
  /** Stop the process when it has been silent for `idleMs` and its last line matches one of `patterns`. */
  gate?: { idleMs: number; patterns: RegExp[] };
  signal?: AbortSignal;
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
}

type StopWhy = "timeout" | "gate" | "cancel";

/** Sends a signal to a whole process group; a group already gone is fine. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

export async function invoke(request: InvokeRequest): Promise<RunRecord> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const stdout = new CappedCapture(request.outputCapBytes);
  const stderr = new CappedCapture(request.outputCapBytes);
  const tail = new Tail();
  let lastOutput = started;
  let stopped: StopWhy | undefined;
  let gatedText = "";
  const [file, ...args] = request.argv;
  if (file === undefined) throw new TypeError("invoke: argv is empty");

  const mark = newMark(request.env[RUN_MARK_ENV]);
  /** The group, and what left it. */
  const killAll = (pid: number | undefined, signal: NodeJS.Signals) => {
    killGroup(pid, signal);
    signalMarked(mark, signal);
  };
  const child = execa(file, args, {
    input: request.stdin,
    env: { ...request.env, [RUN_MARK_ENV]: mark },
    extendEnv: false,
    cwd: request.cwd,
    detached: true,
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    encoding: "buffer",
    windowsHide: true,
  });
  const pid = child.pid;
  const stop = (why: StopWhy) => {
    if (stopped || pid === undefined) return;
    stopped = why;
    killAll(pid, "SIGTERM");
    graceTimer = setTimeout(() => killAll(pid, "SIGKILL"), request.killGraceMs);
    graceTimer.unref();
  };
  let graceTimer: NodeJS.Timeout | undefined;
  const onData = (stream: "stdout" | "stderr", capture: CappedCapture) => (chunk: Buffer) => {
    capture.push(chunk);
    lastOutput = Date.now();
    const text = chunk.toString("utf8");
    tail.push(text);
    request.onOutput?.(stream, text);
  };
  child.stdout?.on("data", onData("stdout", stdout));
  child.stderr?.on("data", onData("stderr", stderr));

  const timeoutTimer = setTimeout(() => stop("timeout"), request.timeoutMs);
  const gate = request.gate;
  const gateTimer = gate
    ? setInterval(
        () => {
          if (Date.now() - lastOutput < gate.idleMs) return;
          const line = tail.lastLine();
          if (line && gate.patterns.some((p) => p.test(line))) {
            gatedText = line;
            stop("gate");
          }
        },
        Math.max(50, Math.min(500, gate.idleMs / 4)),
      )
    : undefined;
  const onAbort = () => stop("cancel");
  request.signal?.addEventListener("abort", onAbort, { once: true });
  if (request.signal?.aborted) onAbort();
  // When the direct child exits, kill what it left behind, in its group or out of it (setsid), so no grandchild
  // outlives the run (and so inherited pipes close and the result resolves).
  child.once("exit", () => killAll(pid, "SIGKILL"));

  const result = await child;
  clearTimeout(timeoutTimer);
  if (gateTimer) clearInterval(gateTimer);
  if (graceTimer) clearTimeout(graceTimer);
  request.signal?.removeEventListener("abort", onAbort);
  killAll(pid, "SIGKILL");
  const ended = Date.now();

  const spawnFailed = result.failed && result.exitCode === undefined && result.signal === undefined && !stopped;
  const errno = (result as { code?: string }).code;
  return {
    argv: request.argv,
    cwd: request.cwd,
    startedAt,
    endedAt: new Date(ended).toISOString(),
    durationMs: ended - started,
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: stopped === "timeout",
    gated: stopped === "gate" ? { text: gatedText } : null,
    canceled: stopped === "cancel",
    spawnError: spawnFailed ? { code: errno ?? "ESPAWN", message: spawnMessage(file, errno, result.shortMessage) } : null,
    stdout: stdout.text(),
    stderr: stderr.text(),
    stdoutBytes: stdout.bytes,
    stderrBytes: stderr.bytes,
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
  };
}

function spawnMessage(file: string, code: string | undefined, fallback: string | undefined): string {
  if (code === "ENOENT") return `${file}: not found (not on PATH, or the path does not exist)`;
  if (code === "EACCES") return `${file}: permission denied (is it executable? chmod +x)`;
  return fallback ?? `${file}: could not be started`;
}
