// Is the build in dist/ current? Shared by the bin (which runs dist/ only when it is), the build script (which records
// what it built from in dist/build.json) and the tests. Plain JavaScript with no dependency: it runs before anything
// is compiled. An installed package has no src/, so its dist/ is always the one to run.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** Files and folders of the package the build is made from. */
export const BUILD_INPUTS = ["src", "schemas", "package.json", "tsconfig.json", "scripts/build.mjs"];

/** The entry of the build, run by bin/mittelo.mjs and harness/run.mjs. */
export const BUILD_ENTRY = "dist/main.js";
export const BUILD_STAMP = "dist/build.json";

/** How many input files there are and which is the newest (mtime in ms). */
export function scanInputs(root) {
  let files = 0;
  let newest = 0;
  let newestFile = "";
  const see = (path) => {
    const mtime = statSync(path).mtimeMs;
    files++;
    if (mtime > newest) {
      newest = mtime;
      newestFile = relative(root, path);
    }
  };
  for (const input of BUILD_INPUTS) {
    const path = join(root, input);
    let entries;
    try {
      entries = readdirSync(path, { withFileTypes: true, recursive: true });
    } catch (error) {
      if (error.code === "ENOTDIR") see(path);
      continue; // ENOENT: an optional input
    }
    for (const entry of entries) if (entry.isFile()) see(join(entry.parentPath ?? entry.path, entry.name));
  }
  return { files, newest, newestFile };
}

/**
 * `{ fresh: true }` when dist/ may run: built, and (in a clone, where src/ exists) no input changed since.
 * Otherwise `{ fresh: false, why }`, e.g. "src/cli/main.ts changed after the build in dist/".
 */
export function buildState(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, BUILD_STAMP), "utf8"));
    statSync(join(root, BUILD_ENTRY));
  } catch {
    return { fresh: false, why: "dist/ has no build" };
  }
  try {
    statSync(join(root, "src"));
  } catch {
    return { fresh: true }; // an installed package: no sources to be newer than the build
  }
  const now = scanInputs(root);
  // 2 ms of slack: a copy that keeps timestamps (cp -p, fs.cpSync) may round them up to the next millisecond.
  if (now.newest > stamp.inputs?.newest + 2) return { fresh: false, why: `${now.newestFile} changed after the build in dist/` };
  if (now.files !== stamp.inputs?.files) return { fresh: false, why: "files were added or removed after the build in dist/" };
  return { fresh: true };
}
