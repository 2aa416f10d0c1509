// Runs the live dashboard in the terminal: alternate screen in, ink app, and a clean terminal out (q, Ctrl-C, SIGINT, SIGTERM).
import { render } from "ink";
import { App } from "./app.tsx";
import { type Endpoint, HubSource } from "./snapshot.ts";

// The two terminal modes ink does not manage: the alternate screen (so quitting restores what was there) and the cursor.
const ENTER_ALT_SCREEN = "\u001b[?1049h\u001b[H";
const LEAVE_ALT_SCREEN = "\u001b[?1049l";
const SHOW_CURSOR = "\u001b[?25h";

export interface LiveOptions {
  endpoint: Endpoint;
  intervalMs: number;
  timeoutMs: number;
  /** Colours unless NO_COLOR is set here. */
  color: boolean;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** Aborted on SIGINT/SIGTERM/SIGHUP by the command: the view quits and restores the terminal. */
  signal: AbortSignal;
}

/** Resolves when the user quits or `signal` aborts; the terminal is restored either way. */
export async function runLive(options: LiveOptions): Promise<void> {
  const { stdout } = options;
  const source = new HubSource(options.endpoint, options.timeoutMs);
  const retryMs = Math.max(1000, options.intervalMs);
  stdout.write(ENTER_ALT_SCREEN);
  let app: ReturnType<typeof render> | undefined;
  const onAbort = () => app?.unmount();
  options.signal.addEventListener("abort", onAbort, { once: true });
  try {
    app = render(<App source={source} intervalMs={options.intervalMs} retryMs={retryMs} color={options.color} />, {
      stdout,
      stdin: options.stdin,
      exitOnCtrlC: true,
      patchConsole: false,
    });
    await app.waitUntilExit();
  } finally {
    options.signal.removeEventListener("abort", onAbort);
    app?.unmount();
    source.close();
    stdout.write(LEAVE_ALT_SCREEN + SHOW_CURSOR);
  }
}
