// PATH search with alternatives. A dangling symlink (e.g. a failed postinstall's .bin link) is not a binary:
// it is reported as missing, with the link as evidence.
import { lstatSync, readlinkSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { executableProblem } from "../util/executable.ts";
import type { Finding } from "./types.ts";

export interface BinaryLookup {
  name: string;
  /** Absolute path of the first executable found. */
  path?: string;
  /** Symlinks on PATH whose target does not exist. */
  dangling: string[];
  searched: string[];
}

export function pathDirs(env: Record<string, string | undefined>): string[] {
  return (env.PATH ?? env.Path ?? "").split(delimiter).filter(Boolean);
}

export function which(name: string, env: Record<string, string | undefined>): BinaryLookup {
  const dangling: string[] = [];
  const candidates = name.includes("/") ? [name] : pathDirs(env).map((dir) => join(dir, name));
  const searched = name.includes("/") ? [name] : pathDirs(env);
  for (const candidate of candidates) {
    let link: ReturnType<typeof lstatSync> | undefined;
    try {
      link = lstatSync(candidate);
    } catch {
      continue;
    }
    const problem = executableProblem(candidate);
    if (problem === undefined) return { name, path: resolve(candidate), dangling, searched };
    if (problem !== "is not a file" && link.isSymbolicLink()) dangling.push(`${candidate} -> ${safeReadlink(candidate)}`);
  }
  return { name, dangling, searched };
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "?";
  }
}

export interface BinaryCheck {
  findings: Finding[];
  /** The binary found for the first requirement (the backend's main binary: the argv's program); unset when it is missing. */
  primary?: string;
}

/** Checks `requires.binaries`: each item a name or a list of alternatives of which one suffices. */
export function checkBinaries(required: Array<string | string[]>, env: Record<string, string | undefined>, install: string | undefined): BinaryCheck {
  const findings: Finding[] = [];
  let primary: string | undefined;
  for (const [index, item] of required.entries()) {
    const names = Array.isArray(item) ? item : [item];
    const lookups = names.map((name) => which(name, env));
    const hit = lookups.find((l) => l.path);
    if (hit) {
      if (index === 0) primary = hit.path;
      continue;
    }
    const dirs = lookups[0]?.searched ?? [];
    const dangling = lookups.flatMap((l) => l.dangling);
    findings.push({
      code: "missing-binary",
      severity: "fail",
      message: names.length === 1 ? `${names[0]} not found on PATH` : `none of ${names.join(", ")} found on PATH`,
      evidence: `${dangling.length ? `dangling symlink ${dangling.join(", ")}; ` : ""}searched PATH (${dirs.length} dirs): ${dirs.join(delimiter) || "(empty)"}`,
      hint: install ?? `install ${names.join(" or ")} and put it on PATH`,
    });
  }
  return { findings, primary };
}
