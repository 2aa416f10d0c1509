// The manifest flag of every command that reads (or writes) matrix.yaml: one declaration, one default.
import { resolve } from "node:path";
import type { Command } from "commander";

/** The manifest path: --manifest, else MITTELO_MANIFEST, else ./matrix.yaml. */
export function manifestPath(option: string | undefined): string {
  return resolve(option ?? process.env.MITTELO_MANIFEST ?? "matrix.yaml");
}

/** Adds `-m, --manifest <path>`; `what` says what the file is to this command (its default is always the same). */
export function addManifestOption(command: Command, what = "manifest file"): Command {
  return command.option("-m, --manifest <path>", `${what} (default: $MITTELO_MANIFEST or ./matrix.yaml)`);
}
