import { readFileSync } from "node:fs";
import { packageFile } from "./package-root.ts";

let cached: string | undefined;

/** This package's version, from package.json. */
export function version(): string {
  cached ??= (JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as { version: string }).version;
  return cached;
}
