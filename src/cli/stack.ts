// An internal error's stack, with every frame in the build (dist/**/*.js, which has a linked .map) rewritten to the
// TypeScript line it was compiled from, so a bug report points at src/. Done only when such an error is printed:
// the source maps are never read on a normal run (`--enable-source-maps` would read them at every start).
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const FRAME = /(file:\/\/[^\s()]+?|\/[^\s():]+?)\.js:(\d+):(\d+)/g;

export function sourceMappedStack(stack: string): string {
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (file: string): SourceMap | null => {
    let map = maps.get(file);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")));
      } catch {
        map = null; // not ours, or no map beside it: the frame stays as it is
      }
      maps.set(file, map);
    }
    return map;
  };
  return stack.replace(FRAME, (frame, path: string, line: string, column: string) => {
    const file = `${path.startsWith("file://") ? fileURLToPath(path) : path}.js`;
    const map = mapOf(file);
    const entry = map?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !("originalSource" in entry) || !entry.originalSource) return frame;
    const source = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : resolve(dirname(file), entry.originalSource);
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}
