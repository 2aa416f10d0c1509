// `npx zx harness/run.mjs`, `npx mittelo …` and `npm run …` start Mittelö through npm, which runs it under `sh -c`:
// a SIGTERM to npm reaches that shell, which dies without passing it on, and the run went on with nobody to report
// to. Launched by npm (npm_command is set), the death of the launcher is taken as the SIGTERM it was meant to be.
import { PARENT_PID_ENV, watchParent } from "../util/parent-watch.ts";

/** Sends this process a SIGTERM once the npm launcher that started it is gone. Returns a function that stops watching. */
export function stopWithLauncher(env: NodeJS.ProcessEnv = process.env): () => void {
  if (!env.npm_command || process.ppid <= 1) return () => {};
  return watchParent({ [PARENT_PID_ENV]: String(process.ppid) }, () => process.kill(process.pid, "SIGTERM"));
}
