import type { Command } from "commander";
import type { CliIO } from "../io.ts";
import { addManifestOption, manifestPath } from "../options/manifest.ts";
import { defaultReporter } from "../reporter.ts";

export function registerSystemTest(program: Command, io: CliIO): void {
  addManifestOption(
    program
      .command("system-test")
      .description("run one backend, one case; artifacts under reports/e2e/<ts>_<backend>/")
      .requiredOption("-b, --backend <name>", "backend name"),
  )
    .option("--prompt <text>", "prompt instead of the default case's")
    .option("--run-on-warn", "run even when preflight warns")
    .option("-o, --out-dir <dir>", "report folder")
    .addHelpText(
      "after",
      "\nExamples:\n  $ mittelo system-test --backend echo\n  $ mittelo system-test --backend claude_code --prompt 'Return exactly: 42' --run-on-warn",
    )
    .action(async (options: { backend: string; manifest?: string; prompt?: string; runOnWarn?: boolean; outDir?: string }) => {
      const { matrixCommand } = await import("../matrix-session.ts");
      const code = await matrixCommand(
        {
          manifest: manifestPath(options.manifest),
          include: [options.backend],
          prompt: options.prompt,
          runOnWarn: options.runOnWarn,
          outDir: options.outDir,
          reporter: defaultReporter(io.stdoutIsTTY ?? false, process.env),
          dirName: options.backend,
          onlyFirstCase: true,
        },
        io,
        ["mittelo", "system-test", ...process.argv.slice(3)],
      );
      io.exit(code);
    });
}
