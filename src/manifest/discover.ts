// Finds folder backends: <dir>/<name>/run executables in backends/ and the dirs of MITTELO_BACKENDS_DIR.
import { readdirSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { DiscoveredBackend, IgnoredFolder } from "./plan.ts";
import { MitteloError } from "../util/errors.ts";
import { executableProblem } from "../util/executable.ts";

/** Folders that are never backends: the copy-me template, retired wrappers, and anything starting with `_` or `.`. */
export function isReservedFolder(name: string): boolean {
  return name === "archive" || name.startsWith("_") || name.startsWith(".");
}

const NAME = /^[a-z][a-z0-9_-]*$/;

export interface Discovery {
  backends: DiscoveredBackend[];
  ignored: IgnoredFolder[];
}

/** The backend folders of these roots. A name found in two roots is a configuration error. */
export function discoverBackends(roots: string[]): DiscoveredBackend[] {
  return discoverFolders(roots).backends;
}

/**
 * The backend folders of these roots, and what is not a backend though it looks meant as one: a folder with a `run` file
 * whose name breaks the naming rule or whose `run` is not executable, and a root after the first (the manifest's own
 * backends/, which may well be absent: those come from MITTELO_BACKENDS_DIR) that is not a readable directory.
 */
export function discoverFolders(roots: string[]): Discovery {
  const found = new Map<string, DiscoveredBackend>();
  const ignored: IgnoredFolder[] = [];
  for (const [index, root] of roots.entries()) {
    let entries: string[];
    try {
      entries = readdirSync(root);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      if (index > 0)
        ignored.push({ name: root, folder: root, why: `MITTELO_BACKENDS_DIR names ${root}, which is not a readable directory (${code}): fix the path` });
      continue;
    }
    for (const name of entries.sort()) {
      if (isReservedFolder(name)) continue;
      const folder = join(root, name);
      const wrapper = join(folder, "run");
      const kind = fileKind(wrapper);
      if (kind === "none") continue;
      if (!NAME.test(name)) {
        const rename = suggestName(name);
        ignored.push({
          name,
          folder,
          why: `'${name}' is not a backend name (a lowercase ASCII letter, then lowercase letters, digits, _ or -): rename the folder${rename ? `, e.g. to '${rename}'` : ""}`,
        });
        continue;
      }
      if (kind === "not-executable") {
        ignored.push({ name, folder, why: `${wrapper} is not executable: chmod +x ${wrapper}` });
        continue;
      }
      const previous = found.get(name);
      if (previous && previous.wrapper !== wrapper) {
        throw new MitteloError("duplicate-backend", `backend '${name}' is defined twice: ${previous.wrapper} and ${wrapper}`, {
          hint: "rename or remove one of the two folders (MITTELO_BACKENDS_DIR adds folders to backends/)",
        });
      }
      found.set(name, { name, wrapper });
    }
  }
  return { backends: [...found.values()], ignored };
}

/** A valid backend name close to `name` (lowercased, accents and other characters dropped), if there is one. */
export function suggestName(name: string): string | undefined {
  const guess = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
  return NAME.test(guess) ? guess : undefined;
}

/** backends/ beside the manifest, then every directory in MITTELO_BACKENDS_DIR (path-list separated). */
export function backendRoots(manifestDir: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const extra = (env.MITTELO_BACKENDS_DIR ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((p) => resolve(p));
  return [resolve(manifestDir, "backends"), ...extra];
}

function fileKind(path: string): "executable" | "not-executable" | "none" {
  const problem = executableProblem(path);
  return problem === undefined ? "executable" : problem === "is not executable" ? "not-executable" : "none";
}
