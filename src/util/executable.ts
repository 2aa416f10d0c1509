// Is this path a file we may execute? One check for wrappers (validate, discover, preflight) and PATH lookups.
import { accessSync, constants, statSync } from "node:fs";

/** Why `path` cannot be executed, or undefined when it is an executable file (links followed). */
export function executableProblem(path: string): "does not exist" | "is not a file" | "is not executable" | undefined {
  try {
    if (!statSync(path).isFile()) return "is not a file";
  } catch {
    return "does not exist";
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return "is not executable";
  }
  return undefined;
}

export function isExecutableFile(path: string): boolean {
  return executableProblem(path) === undefined;
}
