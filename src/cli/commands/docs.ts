import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { EXIT_FAIL, EXIT_OK } from "../../util/errors.ts";
import type { CliIO } from "../io.ts";
import { addManifestOption, manifestPath } from "../options/manifest.ts";

export function registerDocs(program: Command, io: CliIO): void {
  addManifestOption(program.command("docs").description("generate docs/BACKENDS.md and docs/VERSION_LOCK.md from matrix.yaml"))
    .option("--check", "write nothing; exit 1 when a generated file is missing or stale")
    .action(async (options: { manifest?: string; check?: boolean }) => {
      const { generateDocs } = await import("../../docs/generate.ts");
      const { ManifestInvalidError } = await import("../../manifest/open.ts");
      const { readManifest } = await import("../../manifest/read.ts");
      const file = manifestPath(options.manifest);
      const read = await readManifest(file);
      if (!read.ok) throw new ManifestInvalidError(read.report);
      const stale: string[] = [];
      for (const doc of generateDocs(read.manifest)) {
        const path = join(dirname(file), doc.file);
        const current = await readFile(path, "utf8").catch(() => undefined);
        if (current === doc.content) continue;
        stale.push(doc.file);
        if (!options.check) {
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, doc.content);
        }
      }
      if (options.check) {
        if (stale.length) io.stderr(`stale: ${stale.join(", ")} (run \`npx mittelo docs\`)\n`);
        else io.stdout("docs are fresh\n");
        io.exit(stale.length ? EXIT_FAIL : EXIT_OK);
      } else {
        io.stdout(stale.length ? `wrote ${stale.join(", ")}\n` : "docs are fresh\n");
      }
    });
}
