// The run's watchdog: a tiny `sh` process, in a session of its own, started when a run starts. It only waits for its
// stdin to close, which happens when the run ends (close()) or when the process that started it dies, however it
// dies (kill -9 included: the kernel closes the pipe). Then it kills what the run started (every process carrying
// the run's mark, setsid escapees included: SIGTERM, a grace, then SIGKILL until none is left) and removes the run's
// temp folder. It carries no mark itself, reads no user data, and costs one shell (~1 MB) per run.
import { type ChildProcess, spawn } from "node:child_process";
import { RUN_MARK_ENV } from "./run-mark.ts";

/**
 * $1 run mark, $2 run temp folder ("" for none), $3 grace in tenths of a second, $4 the pid that started it (never
 * killed: its environment as the kernel keeps it may carry the mark of a run it belongs to). Linux: marked processes are found with
 * one grep over /proc/<pid>/environ; elsewhere (macOS, BSD) with `ps -E`, which shows the environment of one's own
 * processes (best effort, see docs/ORPHANS.md).
 */
export const WATCHDOG_SCRIPT = `trap '' HUP INT
mark=$1 dir=$2 grace=$3 parent=$4
cat >/dev/null
marked() {
  if [ -r /proc/self/environ ]; then
    grep -lzE "^${RUN_MARK_ENV}=$mark(/|\\$)" /proc/[0-9]*/environ 2>/dev/null | sed -n 's|^/proc/\\([0-9]*\\)/environ$|\\1|p' | grep -vx "$parent"
  else
    ps -A -E -ww -o pid= -o command= 2>/dev/null | grep -E " ${RUN_MARK_ENV}=$mark(/[^ ]*)?( |\\$)" | awk '{print $1}' | grep -vx "$parent"
  fi
}
pids=$(marked)
if [ -n "$pids" ]; then
  kill -TERM $pids 2>/dev/null
  i=0
  while [ "$i" -lt "$grace" ] && [ -n "$(marked)" ]; do sleep 0.1; i=$((i + 1)); done
  i=0
  while pids=$(marked) && [ -n "$pids" ] && [ "$i" -lt 200 ]; do kill -KILL $pids 2>/dev/null; sleep 0.05; i=$((i + 1)); done
fi
[ -n "$dir" ] && rm -rf -- "$dir"
exit 0
`;

export interface Watchdog {
  /** The watchdog's pid (undefined where none could be started: no /bin/sh). */
  pid: number | undefined;
  /** Ends the run: the watchdog kills what is left of it, removes the folder and exits; resolves when it has (10 s at most). */
  close(): Promise<void>;
}

export interface WatchdogOptions {
  mark: string;
  /** The run's temp folder, removed at the end. */
  dir?: string;
  /** Between SIGTERM and SIGKILL. */
  graceMs?: number;
  /** PATH for the shell's tools. */
  path?: string;
}

/** Starts the watchdog of a run. The parent may exit at any time: nothing of the watchdog keeps its event loop alive. */
export function startWatchdog(options: WatchdogOptions): Watchdog {
  if (process.platform === "win32") return { pid: undefined, close: async () => {} };
  const tenths = String(Math.max(1, Math.round((options.graceMs ?? 1000) / 100)));
  let child: ChildProcess;
  try {
    child = spawn("/bin/sh", ["-c", WATCHDOG_SCRIPT, "mittelo-watchdog", options.mark, options.dir ?? "", tenths, String(process.pid)], {
      detached: true, // its own session: a Ctrl-C or a hang-up of the terminal does not reach it
      stdio: ["pipe", "ignore", "ignore"],
      env: { PATH: options.path ?? "/usr/bin:/bin", LC_ALL: "C" }, // no mark: a sweep never takes the watchdog for the run
    });
  } catch {
    return { pid: undefined, close: async () => {} };
  }
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  child.stdin?.on("error", () => {}); // a watchdog that is gone already is not the run's problem
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    pid: child.pid,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.ref(); // wait for it: the run's end includes its clean-up
      child.stdin?.end();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
      child.unref();
    },
  };
}
