// Finds folder backends: <dir>/<name>/run executables in backends/ and the dirs of MITTELO_BACKENDS_DIR.
import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { DiscoveredBackend } from "../manifest/plan.ts";
import { MitteloError } from "../util/errors.ts";

/** Folders that are never backends: the copy-me template, retired wrappers, and anything starting with `_` or `.`. */
export function isReservedFolder(name: string): boolean {
  return name === "archive" || name.startsWith("_") || name.startsWith(".");
}

const NAME = /^[a-z][a-z0-9_-]*$/;

/** The backend folders of these roots. A name found in two roots is a configuration error. */
export function discoverBackends(roots: string[]): DiscoveredBackend[] {
  const found = new Map<string, DiscoveredBackend>();
  for (const root of roots) {
    let entries: string[];
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const name of entries.sort()) {
      if (isReservedFolder(name) || !NAME.test(name)) continue;
      const wrapper = join(root, name, "run");
      if (!isExecutableFile(wrapper)) continue;
      const previous = found.get(name);
      if (previous && previous.wrapper !== wrapper) {
        throw new MitteloError("duplicate-backend", `backend '${name}' is defined twice: ${previous.wrapper} and ${wrapper}`, {
          hint: "rename or remove one of the two folders (MITTELO_BACKENDS_DIR adds folders to backends/)",
        });
      }
      found.set(name, { name, wrapper });
    }
  }
  return [...found.values()];
}

/** backends/ beside the manifest, then every directory in MITTELO_BACKENDS_DIR (path-list separated). */
export function backendRoots(manifestDir: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const extra = (env.MITTELO_BACKENDS_DIR ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((p) => resolve(p));
  return [resolve(manifestDir, "backends"), ...extra];
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
