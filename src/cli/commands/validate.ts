import type { Command } from "commander";
import { EXIT_OK, EXIT_USAGE } from "../../util/errors.ts";
import { printable } from "../../util/printable.ts";
import type { CliIO } from "../io.ts";
import { manifestPath } from "../options.ts";

export function registerValidate(program: Command, io: CliIO): void {
  program
    .command("validate")
    .description("check matrix.yaml against schemas/matrix.schema.json and the semantic rules; every problem with file:line:col")
    .option("-m, --manifest <path>", "manifest file (default: $MITTELO_MANIFEST or ./matrix.yaml)")
    .option("--json", "print the result as JSON")
    .addHelpText("after", "\nExamples:\n  $ mittelo validate\n  $ mittelo validate --manifest test/fixtures/manifests/unknown-key.yaml --json")
    .action(async (options: { manifest?: string; json?: boolean }) => {
      const file = manifestPath(options.manifest);
      const { readManifest } = await import("../../manifest/read.ts");
      const result = await readManifest(file);
      if (options.json) {
        io.stdout(`${JSON.stringify(result.ok ? { ok: true, file, errors: [] } : { ok: false, file, errors: result.diagnostics }, null, 2)}\n`);
      } else if (result.ok) {
        io.stdout(
          `${printable(file, { oneLine: true })}: ok (${Object.keys(result.manifest.backends).length} backends, ${Object.keys(result.manifest.profiles ?? {}).length} profiles)\n`,
        );
      } else {
        io.stderr(result.report);
      }
      if (!result.ok) (await import("../github.ts")).annotateDiagnostics(result.diagnostics, io);
      io.exit(result.ok ? EXIT_OK : EXIT_USAGE);
    });
}
