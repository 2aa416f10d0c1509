// Reads what a merge or a balanced split needs: event streams (events.ndjson of runs, shards or merges) and timings.json.
// Everything is checked before use: the stream's format and the mittelo that wrote it first (a newer one may write
// what this one cannot read), then every line against schemas/events.schema.json. Bad input is a MitteloError (exit 2)
// that names the file, the line and what to do.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import semver from "semver";
import type { Timings } from "../manifest/partition.ts";
import { validatorFor } from "../util/ajv.ts";
import { MitteloError } from "../util/errors.ts";
import { version } from "../util/version.ts";
import { EVENTS_FORMAT, type MatrixEvent, type RunStartEvent } from "./events.ts";

export interface EventStream {
  /** The file, as given or found. */
  file: string;
  events: MatrixEvent[];
  start: RunStartEvent;
}

/** A path as a person reads it: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}
const show = (file: string) => displayPath(file);

/** The events.ndjson files under these paths: a file itself, a folder's own, or every one found below a folder. */
export function findEventFiles(paths: readonly string[]): string[] {
  const found: string[] = [];
  for (const path of paths) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      throw new MitteloError("no-such-report", `${show(path)}: no such file or folder`, { hint: "pass the report folders of the runs to merge" });
    }
    const before = found.length;
    if (stat.isFile()) found.push(path);
    else walk(path, 0, found);
    if (found.length === before)
      throw new MitteloError("no-events", `${show(path)}: no events.ndjson in it (or in its subfolders)`, {
        hint: "each run writes events.ndjson into its report folder (--out-dir); upload the whole folder as the artifact",
      });
  }
  return found;
}

function walk(dir: string, depth: number, found: string[]): void {
  const own = join(dir, "events.ndjson");
  try {
    if (statSync(own).isFile()) {
      found.push(own);
      return;
    }
  } catch {
    // not here: look below
  }
  if (depth >= 4) return;
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of entries) {
    const sub = join(dir, name);
    try {
      if (statSync(sub).isDirectory()) walk(sub, depth + 1, found);
    } catch {
      // vanished meanwhile
    }
  }
}

/** Parses and checks one events.ndjson. */
export function readEventStream(file: string): EventStream {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new MitteloError("unreadable-events", `${show(file)}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const lines = text.split("\n");
  const events: MatrixEvent[] = [];
  const validate = validatorFor("events.schema.json");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line.trim()) continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      throw new MitteloError("bad-events", `${show(file)}:${i + 1}: not a JSON line`, {
        hint: "the file was cut or edited; use the events.ndjson the run wrote, or run that shard again",
      });
    }
    if (!events.length) checkFirst(file, event);
    if (!validate(event)) {
      const first = validate.errors?.find((e) => e.keyword !== "if") ?? validate.errors?.[0];
      throw new MitteloError(
        "bad-events",
        `${show(file)}:${i + 1}: not a mittelo event: ${first?.instancePath || "(event)"} ${first?.message ?? "is invalid"}`,
        {
          hint: "the stream must be an unedited events.ndjson of `mittelo matrix` or `mittelo report merge` (schemas/events.schema.json)",
        },
      );
    }
    events.push(event as MatrixEvent);
  }
  const start = events[0] as RunStartEvent | undefined;
  if (!start) throw new MitteloError("bad-events", `${show(file)}: empty event stream`, { hint: "the run wrote nothing: run it again" });
  if (events.filter((e) => e.type === "run-start").length > 1)
    throw new MitteloError("bad-events", `${show(file)}: more than one run wrote into this file`, {
      hint: "give every run its own --out-dir; run the shard again into an empty folder",
    });
  return { file, events, start };
}

function checkFirst(file: string, event: unknown): void {
  const start = event as Partial<RunStartEvent> | null;
  if (start?.type !== "run-start")
    throw new MitteloError("bad-events", `${show(file)}:1: the stream does not begin with run-start`, { hint: "use the events.ndjson a run wrote, unedited" });
  const theirs = start.tool?.version;
  if (typeof theirs === "string" && semver.valid(theirs) && semver.gt(theirs, version()))
    throw new MitteloError("newer-events", `${show(file)} was written by mittelo ${theirs}, newer than this mittelo ${version()}`, {
      hint: `merge with mittelo ${theirs} or later (the same version the runs used)`,
    });
  if (start.format !== EVENTS_FORMAT)
    throw new MitteloError(
      "old-events",
      `${show(file)}: event format ${start.format ?? "1 (before shards)"} of mittelo ${theirs ?? "?"}; this mittelo merges ${EVENTS_FORMAT}`,
      { hint: "run the matrix again with this mittelo, then merge" },
    );
}

/** Reads a timings.json (of a run or a merge) for --timings. */
export function readTimings(file: string): Timings {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MitteloError("bad-timings", `--timings ${show(file)}: ${code === "ENOENT" ? "no such file" : code ? `cannot read (${code})` : "not JSON"}`, {
      hint: "pass the timings.json a previous run or `mittelo report merge` wrote, or leave --timings out to balance by cell count",
    });
  }
  const validate = validatorFor("timings.schema.json");
  if (!validate(data)) {
    const first = validate.errors?.[0];
    throw new MitteloError("bad-timings", `--timings ${show(file)}: ${first?.instancePath || "(file)"} ${first?.message ?? "is invalid"}`, {
      hint: "pass the timings.json a previous run or merge wrote (schemas/timings.schema.json)",
    });
  }
  return data as Timings;
}
