// The `mittelo` CLI: wires subcommands, turns errors into exit codes. The only place that decides the exit code.
import { Command, CommanderError } from "commander";
import { EXIT_FAIL, EXIT_USAGE, MitteloError } from "../util/errors.ts";
import { printable } from "../util/printable.ts";
import { version } from "../util/version.ts";
import type { Diagnostic } from "../manifest/diagnostic.ts";
import { registerCommands } from "./commands/index.ts";
import type { CliIO } from "./io.ts";
import { processIO } from "./io.ts";

/** Examples for the commands whose own help does not show one. */
const EXAMPLES: Record<string, string[]> = {
  doctor: ["mittelo doctor --core        # what CI needs: Node, npm, loopback, SQLite, reports/", "mittelo doctor --json"],
  docs: ["mittelo docs                 # regenerate docs/BACKENDS.md and docs/VERSION_LOCK.md", "mittelo docs --check         # exit 1 when they are stale"],
  status: ["mittelo status --status failed --limit 20", "mittelo status --json"],
  stats: ["mittelo stats --port 8765"],
  retry: ["mittelo retry               # failed tasks go back to the queue"],
  shutdown: ["mittelo shutdown --host 127.0.0.1 --port 8765"],
};

/** Builds the program. Each command's action returns its exit code through `io.exit`. */
// The entry scripts (bin/mittelo.mjs, harness/run.mjs) stop the command when the npm launcher that started it dies.
export { stopWithLauncher } from "./launcher.ts";

export function buildProgram(io: CliIO): Command {
  const program = new Command("mittelo")
    .description("Which of my AI coding CLIs work on this machine, and can they work together?")
    .version(version(), "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride();
  program.addHelpText(
    "after",
    `
Examples:
  $ mittelo validate                       check ./matrix.yaml
  $ mittelo matrix --profile ci            run the backend matrix (same as npx zx harness/run.mjs)
  $ mittelo backend-check --backend codex  is codex installed, locked and logged in?

Exit codes: 0 as expected · 1 an outcome differs or a check failed · 2 configuration or usage error.`,
  );
  registerCommands(program, io);
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
    const examples = EXAMPLES[command.name()];
    if (examples) command.addHelpText("after", `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}`);
  }
  return program;
}

/** Runs the CLI with these arguments (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  // Nothing mittelo writes (report folders, artifacts, files its backends create) is group- or world-writable.
  process.umask(process.umask(0o022) | 0o022);
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return io.exitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return 0;
      return EXIT_USAGE;
    }
    if (error instanceof MitteloError) {
      if (error.detail) io.stderr(error.detail);
      const diagnostics = (error as { diagnostics?: readonly Diagnostic[] }).diagnostics;
      if (diagnostics?.length) (await import("./github.ts")).annotateDiagnostics(diagnostics, io);
      // Messages quote user input (flags, names, paths): its control characters are shown, never interpreted.
      io.stderr(`mittelo: ${printable(error.message, { oneLine: true })}\n${error.hint ? `  hint: ${printable(error.hint, { oneLine: true })}\n` : ""}`);
      return error.exitCode;
    }
    const stack = error instanceof Error && error.stack ? (await import("./stack.ts")).sourceMappedStack(error.stack) : String(error);
    io.stderr(`mittelo: internal error (this is a bug, please report it): ${stack}\n`);
    return EXIT_FAIL;
  }
}
