// The smoke's child processes: each in its own process group (detached), output kept for the logs,
// stopped with SIGTERM then SIGKILL to the whole group after a grace, so none outlives the smoke.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { killGroup } from "../backends/invoke.ts";
import { parentPidEnv } from "../util/parent-watch.ts";

const LOG_CAP = 4 * 1024 * 1024;

/** A child's combined output, searchable while it runs. */
export class LogBuffer {
  text = "";
  private waiters: Array<{ re: RegExp; resolve: (m: RegExpExecArray) => void }> = [];

  append(chunk: string): void {
    if (this.text.length < LOG_CAP) this.text += chunk.slice(0, LOG_CAP - this.text.length);
    for (const w of [...this.waiters]) {
      const m = w.re.exec(this.text);
      if (m) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  }

  /** Resolves with the first match of `re` (now or later). */
  when(re: RegExp): Promise<RegExpExecArray> {
    const m = re.exec(this.text);
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => this.waiters.push({ re, resolve }));
  }
}

export interface Child {
  role: string;
  pid: number;
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null }>;
  isRunning(): boolean;
}

/**
 * Starts `node <args>` detached (its own process group); stdout and stderr go to `log` (stdout also to `onStdout`).
 * The child gets MITTELO_PARENT_PID, so it stops by itself should this process be killed without a chance to stop it.
 */
export function spawnNode(role: string, args: string[], env: NodeJS.ProcessEnv, log: LogBuffer, onStdout?: (text: string) => void): Child {
  const proc = spawn(process.execPath, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...env, ...parentPidEnv() } });
  let running = true;
  proc.stdout?.setEncoding("utf8").on("data", (text: string) => {
    log.append(text);
    onStdout?.(text);
  });
  proc.stderr?.setEncoding("utf8").on("data", (text: string) => log.append(text));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    proc.once("error", (error) => {
      running = false;
      log.append(`[pair-smoke] cannot start ${role}: ${error.message}\n`);
      resolve({ code: null, signal: null });
    });
    proc.once("exit", (code, signal) => {
      running = false;
      // Whatever the leader left behind in its group goes with it.
      killGroup(proc.pid, "SIGKILL");
      resolve({ code, signal });
    });
  });
  return { role, pid: proc.pid ?? -1, proc, exited, isRunning: () => running };
}

/** SIGTERM to each group, SIGKILL to those still running after `graceMs`; resolves when all have exited. */
export async function stopAll(children: Child[], graceMs: number): Promise<void> {
  const live = children.filter((c) => c.isRunning() && c.pid > 0);
  for (const c of live) killGroup(c.pid, "SIGTERM");
  const graceOver = new AbortController();
  await Promise.race([Promise.all(live.map((c) => c.exited)), delay(graceMs, undefined, { signal: graceOver.signal })]);
  graceOver.abort(); // the grace timer, if all exited first
  await Promise.all(live.filter((c) => c.isRunning()).map(killNow));
  await Promise.all(live.map((c) => c.exited));
}

/**
 * SIGKILL to a child's group AND to the groups of its descendants: an agent runs each backend in a process group
 * of its own, which would otherwise outlive a killed agent. Waits until all of them are gone (at most 2 s).
 */
export async function killNow(child: Child): Promise<void> {
  const groups = [child.pid, ...descendantGroups(child.pid)];
  for (const g of groups) killGroup(g, "SIGKILL");
  await child.exited;
  const until = Date.now() + 2000;
  while (groups.some(groupAlive) && Date.now() < until) await delay(10);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Process groups of every descendant of `pid` (from `ps`; empty when ps is not available). */
export function descendantGroups(pid: number): number[] {
  let table: string;
  try {
    table = execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid="], { encoding: "utf8", timeout: 5000 });
  } catch {
    return [];
  }
  const rows = table
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((r): r is [number, number, number] => r.length === 3 && r.every(Number.isInteger));
  const found = new Set<number>([pid]);
  const groups = new Set<number>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, pp, g] of rows) {
      if (found.has(pp) && !found.has(p)) {
        found.add(p);
        if (g !== pid && g > 1 && g !== process.pid) groups.add(g);
        grew = true;
      }
    }
  }
  return [...groups];
}
