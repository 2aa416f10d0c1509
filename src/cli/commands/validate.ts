import { dirname } from "node:path";
import type { Command } from "commander";
import type { Diagnostic } from "../../manifest/diagnostic.ts";
import { EXIT_OK, EXIT_USAGE } from "../../util/errors.ts";
import { printable } from "../../util/printable.ts";
import type { CliIO } from "../io.ts";
import { addManifestOption, manifestPath } from "../options/manifest.ts";

export function registerValidate(program: Command, io: CliIO): void {
  addManifestOption(
    program.command("validate").description("check matrix.yaml against schemas/matrix.schema.json and the semantic rules; every problem with file:line:col"),
  )
    .option("--json", "print the result as JSON")
    .addHelpText("after", "\nExamples:\n  $ mittelo validate\n  $ mittelo validate --manifest test/fixtures/manifests/unknown-key.yaml --json")
    .action(async (options: { manifest?: string; json?: boolean }) => {
      const file = manifestPath(options.manifest);
      const { readManifest } = await import("../../manifest/read.ts");
      const { renderDiagnostics } = await import("../../manifest/diagnostic.ts");
      const { backendRoots, discoverFolders } = await import("../../manifest/discover.ts");
      const result = await readManifest(file);
      if (!result.ok) {
        if (options.json) io.stdout(`${JSON.stringify({ ok: false, file, errors: result.diagnostics, warnings: [] }, null, 2)}\n`);
        else io.stderr(result.report);
        (await import("../github.ts")).annotateDiagnostics(result.diagnostics, io);
        io.exit(EXIT_USAGE);
        return;
      }
      // Folders that look like backends (a `run` file) but are not planned: a bad name or a `run` that is not executable.
      const folders: Diagnostic[] = discoverFolders(backendRoots(dirname(result.loaded.file), process.env)).ignored.map((f) => ({
        code: "ignored-folder",
        file: f.folder,
        line: 0,
        col: 0,
        path: "",
        message: `left out of every run: ${f.why}`,
      }));
      const warnings = [...result.warnings, ...folders];
      if (options.json) {
        io.stdout(`${JSON.stringify({ ok: true, file, errors: [], warnings }, null, 2)}\n`);
      } else {
        io.stdout(
          `${printable(file, { oneLine: true })}: ok (${Object.keys(result.manifest.backends).length} backends, ${Object.keys(result.manifest.profiles ?? {}).length} profiles)\n`,
        );
        if (warnings.length) io.stderr(renderDiagnostics(warnings, result.loaded.source, process.cwd(), "warning"));
      }
      io.exit(EXIT_OK);
    });
}
