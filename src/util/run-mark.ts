// The run marker: every process Mittelö starts for a run carries MITTELO_RUN=<mark> in its environment, and every
// process it starts inherits it (a grandchild that calls setsid leaves the process group, not its environment).
// Marks nest as paths: a run's mark is `<parent's mark>/<id>` when it was itself started by a run, and each backend
// invocation gets `<run mark>/<n>`; so the processes of a run (or of one invocation) are those whose MITTELO_RUN is
// the mark or starts with `<mark>/`. Found through /proc on Linux; elsewhere nothing is found (see docs/ORPHANS.md).
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

export const RUN_MARK_ENV = "MITTELO_RUN";

const MARK = /^[a-z0-9]+(?:\/[a-z0-9]+)*$/;

/** A new mark, below `parent` when there is one (a mark inherited from the run that started this process). */
export function newMark(parent?: string): string {
  const id = randomBytes(6).toString("hex");
  return parent && MARK.test(parent) ? `${parent}/${id}` : id;
}

/** Whether this platform can find marked processes (Linux, through /proc). */
export function canFindMarked(platform: NodeJS.Platform = process.platform): boolean {
  return platform === "linux";
}

/** Pids of the live processes carrying `mark` (or a mark below it), except this process. Empty where /proc is absent. */
export function markedPids(mark: string): number[] {
  if (!MARK.test(mark) || !canFindMarked()) return [];
  const exact = `${RUN_MARK_ENV}=${mark}`;
  const below = `${exact}/`;
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, "latin1");
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (!environ.includes(exact)) continue;
    if (environ.split("\0").some((entry) => entry === exact || entry.startsWith(below))) found.push(Number(name));
  }
  return found;
}

/** Sends `signal` to every process carrying `mark`; returns how many were signalled. */
export function signalMarked(mark: string, signal: NodeJS.Signals): number {
  let sent = 0;
  for (const pid of markedPids(mark)) {
    try {
      process.kill(pid, signal);
      sent++;
    } catch {
      // gone meanwhile
    }
  }
  return sent;
}
