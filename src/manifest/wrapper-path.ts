// Where a wrapper named by a manifest is: relative to the manifest, else in mittelo's own package. A matrix.yaml
// copied into a project (or written by `mittelo init`) names backends/echo/run, backends/glm/run, …, which only the
// installed package has; a wrapper beside the manifest always wins.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { packageFile } from "../util/package-root.ts";

export function resolveWrapper(path: string, manifestDir: string): string {
  const local = resolve(manifestDir, path);
  if (isAbsolute(path) || existsSync(local)) return local;
  const shipped = packageFile(path);
  return existsSync(shipped) ? shipped : local;
}
