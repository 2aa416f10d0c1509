// One guard per run of a command that starts processes (matrix, agent, swarm, pair smoke, exec): a mark for every
// process the run starts, one temp folder for everything the run writes to the temp dir, and a watchdog that
// outlives this process only to kill what is left and remove the folder. See docs/ORPHANS.md.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newMark, RUN_MARK_ENV, signalMarked } from "../util/run-mark.ts";
import { startWatchdog } from "../util/watchdog.ts";

export interface RunGuard {
  /** The mark every process of this run carries (MITTELO_RUN). */
  mark: string;
  /** The run's temp folder (TMPDIR of the run and of what it starts). */
  dir: string;
  /**
   * The forceful stop (a second signal): SIGKILL, now, to every process of the run, setsid escapees included, so the
   * work sees its children end at once instead of after their kill_grace. Linux; elsewhere nothing is found.
   */
  killNow(): void;
  /** Ends the run: whatever still carries its mark is killed, the folder removed, the environment restored. */
  close(): Promise<void>;
}

/**
 * Starts the guard. For the duration of the run this process's environment carries the mark and TMPDIR is the run's
 * folder, so every process it starts is marked (whichever module spawns it, from process.env or a copy of it) and
 * every temp folder it creates (agent roots, pair smoke folders, sandboxes, probes) goes with the run, kill -9
 * included. (The kernel's copy of this process's own environment, which the watchdog reads, is not changed.)
 */
export function startRunGuard(env: NodeJS.ProcessEnv = process.env): RunGuard {
  const mark = newMark(env[RUN_MARK_ENV]);
  const dir = mkdtempSync(join(tmpdir(), "mittelo-run-"));
  const watchdog = startWatchdog({ mark, dir, path: env.PATH });
  const saved = { [RUN_MARK_ENV]: env[RUN_MARK_ENV], TMPDIR: env.TMPDIR };
  const ours = { [RUN_MARK_ENV]: mark, TMPDIR: dir };
  Object.assign(env, ours);
  let closed: Promise<void> | undefined;
  return {
    mark,
    dir,
    killNow: () => {
      signalMarked(mark, "SIGKILL");
    },
    close: () => {
      closed ??= (async () => {
        for (const [name, value] of Object.entries(saved)) {
          if (env[name] !== ours[name as keyof typeof ours]) continue; // changed since by someone else: theirs now
          if (value === undefined) delete env[name];
          else env[name] = value;
        }
        await watchdog.close();
        rmSync(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
