#!/usr/bin/env node
// The layer rules of src/, read from the table in docs/ARCHITECTURE.md: every relative import between two top folders
// of src/ must be allowed by that table, nothing outside src/cli imports src/cli, and only src/cli reads process.env,
// process.argv or installs signal handlers. `node scripts/check-layers.mjs [SRC] [DOC]` prints the violations, exit 1.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The table between `<!-- layers:start -->` and `<!-- layers:end -->`: folder → the folders it may import. */
export function readLayers(docText) {
  const start = docText.indexOf("<!-- layers:start -->");
  const end = docText.indexOf("<!-- layers:end -->");
  if (start < 0 || end < start) throw new Error("docs/ARCHITECTURE.md has no <!-- layers:start --> … <!-- layers:end --> table");
  const layers = new Map();
  for (const line of docText.slice(start, end).split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const folder = /^`([a-z-]+)`$/.exec(cells[1] ?? "")?.[1];
    if (!folder) continue;
    const may =
      cells[2] === "every folder"
        ? ["*"]
        : cells[2] === "—"
          ? []
          : (cells[2] ?? "")
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean);
    layers.set(folder, new Set(may));
  }
  return layers;
}

function sourceFiles(root) {
  const out = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|tsx|mts|js|mjs)$/.test(n) && !n.endsWith(".d.ts")) out.push(p);
    }
  };
  walk(root);
  return out;
}

const IMPORT = /(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\s*\(?\s*["']([^"']+)["']/gs;
const PROCESS_EDGE = /process\.(env|argv)\b|process\.(on|once|addListener|prependListener)\(\s*["']SIG/;

/** Every violation of the layer rules, as one line each ("file: what"). */
export function checkLayers(srcDir, layers) {
  const root = resolve(srcDir);
  const top = (f) => {
    const parts = relative(root, f).split(sep);
    return parts.length > 1 ? parts[0] : ".";
  };
  const problems = [];
  const edges = new Map();
  for (const file of sourceFiles(root)) {
    const from = top(file);
    const rel = relative(root, file);
    const text = readFileSync(file, "utf8");
    if (!layers.has(from)) problems.push(`${rel}: folder '${from}' is not in the layer table of docs/ARCHITECTURE.md`);
    if (from !== "cli") {
      const edge = PROCESS_EDGE.exec(text);
      if (edge) problems.push(`${rel}: reads the process (${edge[0]}) outside src/cli: take it as a parameter`);
    }
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (!spec?.startsWith(".")) continue;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(root + sep)) continue;
      const to = top(target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from).add(to);
      const allowed = layers.get(from);
      if (to === "cli") problems.push(`${rel}: imports ${spec}: nothing outside src/cli imports src/cli`);
      else if (allowed && !allowed.has("*") && !allowed.has(to))
        problems.push(`${rel}: imports ${spec}: '${from}' may import only ${[...allowed].join(", ") || "nothing"}`);
    }
  }
  for (const cycle of cycles(layers)) problems.push(`docs/ARCHITECTURE.md: the layer table has a cycle: ${cycle.join(" -> ")}`);
  return { problems, edges };
}

/** Cycles in the table itself (a table with a cycle would allow one in the code). */
function cycles(layers) {
  const found = [];
  const state = new Map();
  const visit = (v, path) => {
    state.set(v, "open");
    for (const w of layers.get(v) ?? []) {
      if (w === "*" || !layers.has(w)) continue;
      if (state.get(w) === "open") found.push([...path.slice(path.indexOf(w)), w]);
      else if (!state.has(w)) visit(w, [...path, w]);
    }
    state.set(v, "done");
  };
  for (const v of layers.keys()) if (!state.has(v)) visit(v, [v]);
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url));
  const src = process.argv[2] ?? join(here, "..", "src");
  const doc = process.argv[3] ?? join(here, "..", "docs", "ARCHITECTURE.md");
  const { problems } = checkLayers(src, readLayers(readFileSync(doc, "utf8")));
  for (const p of problems) console.error(p);
  console.log(problems.length ? `${problems.length} layer violation(s)` : "layers ok");
  process.exitCode = problems.length ? 1 : 0;
}
