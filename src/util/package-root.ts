// Where this package's own files are (package.json, schemas/, backends/, bin/), whether this code runs from the
// sources (src/util/) or from the build (dist/): the nearest folder above this module that has a package.json.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The package's root folder (the one with its package.json). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`mittelo: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  root = dir;
  return dir;
}

/** A path inside the package, e.g. `packageFile("schemas", "matrix.schema.json")`. */
export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
