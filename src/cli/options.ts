// Option helpers shared by commands.
import { resolve } from "node:path";

/** The manifest path: --manifest, else MITTELO_MANIFEST, else ./matrix.yaml. */
export function manifestPath(option: string | undefined): string {
  return resolve(option ?? process.env.MITTELO_MANIFEST ?? "matrix.yaml");
}

/** Collects a repeatable option into an array (for commander). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
