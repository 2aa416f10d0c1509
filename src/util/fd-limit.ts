// The process's soft limit on open files (`ulimit -n`), where the platform tells it: /proc on Linux.
import { readFileSync } from "node:fs";

/** The soft RLIMIT_NOFILE of this process, or undefined where it cannot be read (not Linux) or is unlimited. */
export function openFileLimit(): number | undefined {
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    const soft = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits)?.[1];
    return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}
