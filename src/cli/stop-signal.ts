// Commands that start child processes (probes, backends) in process groups of their own must not die on SIGINT/SIGTERM
// before those groups are killed: they run their work with an AbortSignal that a first signal aborts (the work kills its
// children), and later signals are only acknowledged.
import { constants } from "node:os";
import type { CliIO } from "./io.ts";

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export interface Stopped<T> {
  value: T;
  /** The first signal received while the work ran, if any. */
  signal?: NodeJS.Signals;
}

export async function stoppable<T>(io: CliIO, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<Stopped<T>> {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!received) io.stderr(`mittelo: ${signal}: stopping ${what}\n`);
    received ??= signal;
    controller.abort();
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    const value = await work(controller.signal);
    return received ? { value, signal: received } : { value };
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}

/** The exit code of a process stopped by `signal`: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}
