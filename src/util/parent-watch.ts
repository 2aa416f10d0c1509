// Stop with the parent: a hub or agent started by mittelo itself (pair smoke, swarm) gets MITTELO_PARENT_PID.
// A parent that is SIGKILLed cannot stop its children, so each child watches for being orphaned (re-parented)
// and stops itself instead of running on with nobody to report to.

import { isAlive } from "./pid.ts";

export const PARENT_PID_ENV = "MITTELO_PARENT_PID";

/** The env a parent gives the children that must not outlive it. */
export function parentPidEnv(): Record<string, string> {
  return { [PARENT_PID_ENV]: String(process.pid) };
}

/**
 * Calls `onGone(pid)` once when this process is no longer a child of the pid in MITTELO_PARENT_PID
 * (the parent died and we were re-parented). No-op without the variable. Returns a function that stops watching.
 */
export function watchParent(env: NodeJS.ProcessEnv, onGone: (pid: number) => void, intervalMs = 250): () => void {
  const pid = Number(env[PARENT_PID_ENV]);
  if (!Number.isInteger(pid) || pid <= 1) return () => {};
  if (process.ppid !== pid) {
    // Gone before we got here: stop now. Alive but not our parent (the variable leaked into a shell): do not watch.
    if (!isAlive(pid)) setImmediate(() => onGone(pid));
    return () => {};
  }
  const timer = setInterval(() => {
    if (process.ppid === pid) return;
    clearInterval(timer);
    onGone(pid);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
