// One shutdown rule for every command that runs until it is done or stopped (matrix, exec, pair smoke, swarm, agent,
// hub, stub, dashboard, the probes of backend-check and doctor):
//   1st signal   the work's AbortSignal is aborted and one line says so on stderr (`mittelo: SIGTERM: stopping <what>`).
//                The work stops gracefully: it kills its children's process groups (SIGTERM, kill_grace, SIGKILL),
//                finishes or cancels what is in hand, writes its reports. Dying at once would leave those groups behind.
//   2nd signal   (and any later one) the command's forceful path, with one line: every process of the run is killed
//                now (SIGKILL), a server with nothing left to save exits at once. A command stopped this way exits
//                128 + the number of the FIRST signal (130 for Ctrl-C).
// The handlers are installed for the work only and removed when it ends, however it ends. They are the only signal
// handlers of the CLI: nothing outside src/cli touches signals (docs/ARCHITECTURE.md).
import { constants } from "node:os";
import type { CliIO } from "./io.ts";

/** SIGINT (Ctrl-C) and SIGTERM (kill, a CI runner's cancel, a supervisor). */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

export interface StopRule {
  /** The first signal's line after `mittelo: SIGTERM: ` (default `stopping <what>`). */
  stopping?: string;
  /** The second signal's line after `mittelo: SIGINT: ` (default `forcing <what> to stop now`). */
  forcing?: string;
  /**
   * The forceful path, run on the second signal (and on every later one: it must be idempotent), with the first signal.
   * Without one, a second signal is only acknowledged (the first one's path is already bounded, e.g. the probes' 300 ms grace).
   */
  force?: (first: NodeJS.Signals) => void;
  /**
   * Also stop on SIGHUP (the terminal closed). Only for commands that have no reason to outlive their terminal
   * (dashboard, exec, the probes): a listener replaces the ignored disposition `nohup` sets, so the long runs (matrix,
   * agent, swarm, hub, stub, pair smoke) keep SIGHUP's default and `nohup mittelo hub &` keeps working.
   */
  hangUp?: boolean;
  /** Where the lines go (default: `mittelo: <line>` on stderr); the agent logs them with its time and worker id. */
  say?: (line: string) => void;
}

export interface Stopped<T> {
  value: T;
  /** The first signal received while the work ran, if any. */
  signal?: NodeJS.Signals;
  /** A second signal came and the forceful path ran: the command exits 128 + the number of `signal`. */
  forced?: boolean;
}

/**
 * Runs `work` with an AbortSignal that the first stop signal aborts (`first()` names it then: the swarm passes it on
 * to its agents); a second one runs the rule's forceful path.
 */
export async function stoppable<T>(
  io: CliIO,
  what: string,
  work: (signal: AbortSignal, first: () => NodeJS.Signals | undefined) => Promise<T>,
  rule: StopRule = {},
): Promise<Stopped<T>> {
  const say = rule.say ?? ((line: string) => io.stderr(`mittelo: ${line}\n`));
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  let forced = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!first) {
      first = signal;
      say(`${signal}: ${rule.stopping ?? `stopping ${what}`}`);
      controller.abort();
      return;
    }
    if (!rule.force) {
      say(`${signal}: already stopping ${what}`);
      return;
    }
    forced = true;
    say(`${signal}: ${rule.forcing ?? `forcing ${what} to stop now`}`);
    rule.force(first);
  };
  // `on`, not `once`: while a handler of ours is registered, the terminal libraries' signal-exit (live progress, ink)
  // does not re-raise the signal and kill the process before the work has stopped what it started.
  const signals = rule.hangUp ? [...STOP_SIGNALS, "SIGHUP" as const] : STOP_SIGNALS;
  for (const s of signals) process.on(s, onSignal);
  try {
    const value = await work(controller.signal, () => first);
    if (!first) return { value };
    return forced ? { value, signal: first, forced } : { value, signal: first };
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

/** The exit code of a process stopped by `signal`: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/** The forceful path of a command with nothing left to save (a server): exit now, 128 + the first signal's number. */
export function exitNow(first: NodeJS.Signals): never {
  process.exit(signalExitCode(first));
}
