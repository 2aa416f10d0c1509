// One run, one report folder. A run locks its folder (`.mittelo.lock`: pid, host, start time, command); a second
// run into the same folder is refused (exit 2, naming the holder); a lock left by a dead process on this host is
// taken over, with a line saying so. A folder that holds a previous report is emptied first, so a rerun never
// mixes two runs; a folder holding anything else is refused: mittelo deletes only what it wrote.
import { hostname } from "node:os";
import { join } from "node:path";
import { chmodSync, closeSync, linkSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { EXIT_USAGE, MitteloError } from "../util/errors.ts";
import { makeDir } from "../util/files.ts";
import { isAlive } from "../util/pid.ts";

export const LOCK_FILE = ".mittelo.lock";
/** Files that mark a folder as a mittelo report (what a run writes first and last). */
const REPORT_MARKERS = ["events.ndjson", "matrix.json"];

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface ReportFolder {
  dir: string;
  /** Lines for the user: a stale lock taken over, a previous report replaced. */
  notes: string[];
  /** Removes the lock (when it is still ours). */
  release(): void;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    if (typeof data.pid === "number" && typeof data.host === "string") return data as LockHolder;
  } catch {
    // unreadable or half-written: treated as unknown below
  }
  return undefined;
}

const describe = (h: LockHolder) => `pid ${h.pid} on ${h.host}, started ${h.startedAt}${h.command ? ` (${h.command})` : ""}`;

/**
 * Prepares `dir` for one run: creates it, takes its lock, and empties a previous report. Throws MitteloError
 * (exit 2) when another run holds it or it holds files that are not a mittelo report.
 */
export function openReportFolder(dir: string, command: string): ReportFolder {
  makeDir(dir, "--out-dir");
  const notes: string[] = [];
  // Nobody else may write into a report (plant a symlink, swap an artifact): no group or world write bit.
  const { mode, uid } = statSync(dir);
  if (process.platform !== "win32" && mode & 0o022) {
    if (uid !== process.getuid?.()) {
      throw new MitteloError("report-folder-unsafe", `--out-dir ${dir} is writable by other users and not yours`, {
        hint: "choose a folder of your own",
        exitCode: EXIT_USAGE,
      });
    }
    chmodSync(dir, mode & 0o7755);
    notes.push(`made ${dir} writable only by you (it was group- or world-writable)`);
  }
  const lock = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  const temp = join(dir, `${LOCK_FILE}.${process.pid}`);
  writeFileSync(temp, `${JSON.stringify(me)}\n`, { mode: 0o644 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, lock); // atomic: fails when a lock exists
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw lockError(dir, error);
      }
      const holder = readHolder(lock);
      if (!holder) {
        throw new MitteloError("report-folder-locked", `${dir} is locked by another run (${lock} exists but cannot be read)`, {
          hint: `if no mittelo run uses ${dir}, delete ${lock}`,
          exitCode: EXIT_USAGE,
        });
      }
      if (holder.host !== me.host || isAlive(holder.pid) || attempt >= 2) {
        throw new MitteloError("report-folder-locked", `another run is writing to ${dir}: ${describe(holder)}`, {
          hint: `wait for it, or choose another --out-dir${holder.host !== me.host ? `; if that run is gone, delete ${lock}` : ""}`,
          exitCode: EXIT_USAGE,
        });
      }
      // Stale: its process is gone. Move it aside (atomic: of two takers, one moves it), and check it is the one judged.
      const aside = `${lock}.stale.${process.pid}`;
      try {
        renameSync(lock, aside);
      } catch {
        continue; // taken over by someone else first: the next attempt sees the new holder
      }
      const moved = readHolder(aside);
      if (moved?.pid !== holder.pid || moved.startedAt !== holder.startedAt) {
        renameSync(aside, lock); // a live lock that replaced the stale one meanwhile: put it back and look again
        continue;
      }
      rmSync(aside, { force: true });
      notes.push(`took over the lock of ${dir}: the run that held it is gone (${describe(holder)})`);
    }
  } finally {
    rmSync(temp, { force: true });
  }
  const release = () => {
    const holder = readHolder(lock);
    if (holder?.pid === me.pid && holder.startedAt === me.startedAt) rmSync(lock, { force: true });
  };
  try {
    const entries = readdirSync(dir).filter((name) => name !== LOCK_FILE);
    if (entries.length) {
      if (!REPORT_MARKERS.some((m) => entries.includes(m))) {
        throw new MitteloError(
          "report-folder-not-empty",
          `--out-dir ${dir} is not empty and holds no mittelo report (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""})`,
          {
            hint: "choose an empty or new folder: mittelo replaces a previous report, but never deletes files it did not write",
            exitCode: EXIT_USAGE,
          },
        );
      }
      const previous = previousStart(join(dir, "events.ndjson"));
      for (const name of entries) rmSync(join(dir, name), { recursive: true, force: true, maxRetries: 3 });
      notes.push(`replaced the previous report in ${dir}${previous ? ` (run of ${previous})` : ""}`);
    }
  } catch (error) {
    release();
    throw error;
  }
  return { dir, notes, release };
}

/** The start time in the first line (run-start) of a previous events.ndjson, read without loading the whole file. */
function previousStart(events: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(events, "r");
    const buffer = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const first = buffer.subarray(0, n).toString("utf8").split("\n")[0] ?? "";
    return (JSON.parse(first) as { ts?: string }).ts;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function lockError(dir: string, error: unknown): MitteloError {
  const code = (error as NodeJS.ErrnoException).code ?? "error";
  return new MitteloError("report-folder-locked", `cannot lock ${dir} (${code})`, { hint: "choose a writable --out-dir", exitCode: EXIT_USAGE, cause: error });
}
