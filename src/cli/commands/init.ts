import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, sep } from "node:path";
import type { Command } from "commander";
import { EXIT_OK, EXIT_USAGE, MitteloError } from "../../util/errors.ts";
import { packageFile } from "../../util/package-root.ts";
import { version } from "../../util/version.ts";
import type { CliIO } from "../io.ts";
import { addManifestOption, manifestPath } from "../options/manifest.ts";
import { currentEnv } from "./backend-check.ts";

export function registerInit(program: Command, io: CliIO): void {
  addManifestOption(
    program
      .command("init")
      .description("write a starter matrix.yaml here: the backends whose CLI is on PATH active, the others commented out with how to install them"),
    "where to write it",
  )
    .option("-f, --force", "overwrite an existing file")
    .addHelpText("after", "\nExamples:\n  $ npx mittelo init && npx mittelo matrix\n  $ mittelo init --manifest ci/matrix.yaml --force")
    .action(async (options: { manifest?: string; force?: boolean }) => {
      const file = manifestPath(options.manifest);
      if (existsSync(file) && !options.force) {
        throw new MitteloError("manifest-exists", `${file} already exists; nothing was written`, {
          hint: "edit it, or run `mittelo init --force` to replace it with a fresh starter",
          exitCode: EXIT_USAGE,
        });
      }
      const { openPlan } = await import("../../manifest/open.ts");
      const { readManifest } = await import("../../manifest/read.ts");
      const { renderStarter } = await import("../../manifest/starter.ts");
      const { checkBinaries } = await import("../../preflight/binaries.ts");
      const { checkPlatform } = await import("../../preflight/platform.ts");
      const shippedFile = packageFile("matrix.yaml");
      const shipped = await openPlan(shippedFile, {}, {});
      const env = currentEnv();
      const backends: Record<string, { active: boolean; why?: string; install?: string }> = {};
      for (const b of shipped.backends.filter((x) => x.source === "manifest")) {
        const argv0 = b.invocation.kind === "argv" ? b.invocation.argv[0] : undefined;
        const missing = [
          ...checkPlatform(b.requires, process.platform, process.arch),
          ...checkBinaries(b.requires.binaries ?? (argv0 ? [argv0] : []), env, b.install).findings,
        ][0];
        backends[b.name] = missing ? { active: false, why: missing.message, install: b.install } : { active: true };
      }
      const schema = schemaReference(dirname(file));
      const text = renderStarter(readFileSync(shippedFile, "utf8"), { schemaRef: schema.ref, version: version(), backends });
      writeFileSync(file, text);
      const check = await readManifest(file);
      if (!check.ok) throw new Error(`mittelo init wrote a manifest that does not validate:\n${check.report}`);
      const active = Object.entries(backends).filter(([, b]) => b.active);
      const inactive = Object.entries(backends).filter(([, b]) => !b.active);
      io.stdout(
        `wrote ${relative(process.cwd(), file) || file}: ${active.length} backend(s) active (${active.map(([n]) => n).join(", ")}), ` +
          `${inactive.length} commented out (${inactive.map(([n]) => n).join(", ") || "none"})\n` +
          `next: npx mittelo matrix   (to add a backend: install its CLI, uncomment its block, npx mittelo validate)\n`,
      );
      if (schema.note) io.stderr(`note: ${schema.note}\n`);
      io.exit(EXIT_OK);
    });
}

/**
 * The schema reference for a manifest in `dir`: relative (`./node_modules/mittelo/schemas/…`) when this package is
 * inside that folder's tree, so it works for everyone who checks the project out; else this installation's path.
 */
function schemaReference(dir: string): { ref: string; note?: string } {
  const schema = packageFile("schemas", "matrix.schema.json");
  const rel = relative(dir, schema);
  if (!rel.startsWith("..") && !isAbsolute(rel)) return { ref: `./${rel.split(sep).join("/")}` };
  return {
    ref: schema,
    note: `the schema line points at ${schema} (mittelo is not installed in this project); \`npm install --save-dev mittelo\` and \`mittelo init --force\` make it portable`,
  };
}
