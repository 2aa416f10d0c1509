// Files written safely: folders created one level at a time (so a path that cannot exist fails at once with its
// reason, instead of Node's recursive mkdir looping forever under /proc), and files replaced atomically
// (a temp file beside the target, then rename), so a reader never sees half a report.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, join, parse, resolve } from "node:path";
import { MitteloError } from "./errors.ts";

/** What is at `path`: a folder, something else, or nothing. */
function statKind(path: string): "dir" | "other" | "missing" {
  try {
    return statSync(path).isDirectory() ? "dir" : "other";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "missing";
    if (code === "ENOTDIR") return "missing"; // a parent is a file: found when the walk reaches it
    throw error;
  }
}

/**
 * Creates a folder and its missing parents, one level at a time. Throws a MitteloError (exit 2) naming `what`
 * (e.g. `--out-dir`) and the reason when a parent is a file or a level cannot be created.
 */
export function makeDir(path: string, what = "folder"): string {
  const target = resolve(path);
  const missing: string[] = [];
  let current = target;
  const root = parse(target).root;
  while (true) {
    let kind: ReturnType<typeof statKind>;
    try {
      kind = statKind(current);
    } catch (error) {
      throw dirError(what, target, current, error);
    }
    if (kind === "dir") break;
    if (kind === "other") {
      throw new MitteloError("bad-path", `${what} ${target}: ${current} is a file, not a folder`, {
        hint: current === target ? `choose a folder path for ${what}` : `${current} is in the way: choose another path for ${what}`,
      });
    }
    missing.unshift(current);
    if (current === root) break;
    current = dirname(current);
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && statKind(dir) === "dir") continue;
      throw dirError(what, target, dir, error);
    }
  }
  return target;
}

function dirError(what: string, target: string, at: string, error: unknown): MitteloError {
  const code = (error as NodeJS.ErrnoException).code ?? "error";
  const reason =
    code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "EROFS"
        ? "the file system is read-only"
        : code === "ENOENT"
          ? "this file system does not allow creating folders there"
          : code === "ENAMETOOLONG"
            ? "the name is too long for the file system"
            : code;
  return new MitteloError("bad-path", `${what} ${target}: cannot create ${at} (${reason})`, { hint: `choose a writable folder for ${what}`, cause: error });
}

/**
 * Checks, without creating anything, that a file can be written at `path` later: no parent is a file, and the
 * path itself is not a folder. Throws a MitteloError (exit 2) naming `what`.
 */
export function checkFilePath(path: string, what: string): string {
  const target = resolve(path);
  if (statKind(target) === "dir")
    throw new MitteloError("bad-path", `${what} ${target} is a folder; it must name a file`, { hint: `e.g. ${join(target, "junit.xml")}` });
  let current = dirname(target);
  while (true) {
    const kind = statKind(current);
    if (kind === "dir") return target;
    if (kind === "other")
      throw new MitteloError("bad-path", `${what} ${target}: ${current} is a file, not a folder`, { hint: `choose another path for ${what}` });
    const parent = dirname(current);
    if (parent === current) return target;
    current = parent;
  }
}

let counter = 0;

/** Writes a file atomically for readers: a temp file in the same folder (mode 0644 before the umask), then a rename over the target. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const temp = join(dirname(path), `.${parse(path).base}.${process.pid}.${counter++}.tmp`);
  const fd = openSync(temp, "wx", mode);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
