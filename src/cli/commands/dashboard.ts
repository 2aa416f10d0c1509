import type { Command } from "commander";
import { parseInterval } from "../../dashboard/interval.ts";
import { colorEnabled } from "../../dashboard/layout.ts";
import { clientEndpoint } from "../../hub/config.ts";
import { EXIT_FAIL, EXIT_OK, MitteloError } from "../../util/errors.ts";
import type { CliIO } from "../io.ts";
import { exitNow, stoppable } from "../stop-signal.ts";
import { addHubOptions, type HubFlags } from "../options/hub.ts";

interface DashboardOptions extends HubFlags {
  interval: string;
  once?: boolean;
}

/** How long one connect or call may take before the hub counts as offline. */
const TIMEOUT_MS = 3000;

export function registerDashboard(program: Command, io: CliIO): void {
  addHubOptions(
    program
      .command("dashboard")
      .description("watch the hub live: counts, throughput, recent tasks, active workers; OFFLINE (and how to start a hub) when unreachable"),
  )
    .option("--interval <duration>", "time between polls, e.g. 500ms, 1s, 2m", "1s")
    .option("--once", "print one plain-text snapshot and exit: 0 online, 1 offline")
    .addHelpText(
      "after",
      "\nKeys (live view): q quit · r retry failed tasks (asks y/n) · f cycle the status filter\nNO_COLOR disables colours.\n\nExamples:\n  $ mittelo dashboard\n  $ mittelo dashboard --port 9000 --interval 500ms\n  $ mittelo dashboard --once",
    )
    .action(async (options: DashboardOptions) => {
      const { renderPlain } = await import("../../dashboard/plain.ts");
      const { fetchSnapshot } = await import("../../dashboard/snapshot.ts");
      const endpoint = clientEndpoint(options, process.env);
      const intervalMs = parseInterval(options.interval);
      if (options.once) {
        const state = await fetchSnapshot(endpoint, { filter: "all", limit: 20, retryInSeconds: 0, timeoutMs: TIMEOUT_MS });
        io.stdout(renderPlain(state, process.stdout.columns || 100));
        io.exit(state.kind === "online" ? EXIT_OK : EXIT_FAIL);
        return;
      }
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        throw new MitteloError("usage", "the live dashboard needs a terminal (stdin and stdout)", { hint: "use `mittelo dashboard --once` in scripts" });
      }
      const { runLive } = await importInteractive(() => import("../../dashboard/live.tsx"));
      // The first signal (Ctrl-C, kill, the terminal closing) quits the view, which restores the terminal, exit 0; a
      // second one exits at once, 128 + the first's number. No line on stderr: the view owns the terminal and a line
      // would garble its frame; the view quitting is the answer.
      await stoppable(
        io,
        "the dashboard",
        (signal) =>
          runLive({
            endpoint,
            intervalMs,
            timeoutMs: TIMEOUT_MS,
            color: colorEnabled(process.env),
            stdout: process.stdout,
            stdin: process.stdin,
            signal,
          }),
        { hangUp: true, force: exitNow, say: () => {} },
      );
      io.exit(EXIT_OK);
    });
}

/**
 * Imports the ink view as interactive. ink decides once, when it is imported, whether it runs "in CI" (any CI or
 * CI_* variable) and then draws no frame until exit. The live view only starts on a real terminal, where a person is
 * watching, so the CI variables are hidden during that import and restored right after.
 */
async function importInteractive<T>(load: () => Promise<T>): Promise<T> {
  const hidden: Record<string, string> = {};
  for (const key of Object.keys(process.env)) {
    if (key === "CI" || key === "CONTINUOUS_INTEGRATION" || key.startsWith("CI_")) {
      hidden[key] = process.env[key] as string;
      delete process.env[key];
    }
  }
  try {
    return await load();
  } finally {
    Object.assign(process.env, hidden);
  }
}
