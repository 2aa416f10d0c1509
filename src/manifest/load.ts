import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, type Document } from "yaml";
import type { Diagnostic } from "./diagnostic.ts";

/** A manifest file as read: its text, the YAML document with positions, and the plain data. */
export interface LoadedManifest {
  file: string;
  source: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  data: unknown;
}

export type LoadResult = { ok: true; manifest: LoadedManifest } | { ok: false; source?: string; diagnostics: Diagnostic[] };

const YAML_HINTS: Record<string, string> = {
  DUPLICATE_KEY: "each key may appear once per mapping: remove or rename one of them",
  TAB_AS_INDENT: "YAML indentation must use spaces, not tabs",
  BAD_INDENT: "align this line with its siblings (indent with spaces, 2 per level)",
  MISSING_CHAR: "a quote or bracket is not closed",
  BLOCK_AS_IMPLICIT_KEY: "a key is missing its `:` or the line above is indented wrongly",
  MULTILINE_IMPLICIT_KEY: "a key is missing its `:` or a string spans lines without quotes",
  UNEXPECTED_TOKEN: "check the indentation and punctuation of this line",
};

/** Reads and parses a manifest, keeping source positions; YAML syntax problems come back as diagnostics. */
export async function loadManifest(path: string): Promise<LoadResult> {
  const file = resolve(path);
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      diagnostics: [
        {
          code: code === "ENOENT" ? "manifest-not-found" : "manifest-unreadable",
          file,
          line: 0,
          col: 0,
          path: "",
          message: code === "ENOENT" ? "no such file" : `cannot read the file (${code ?? "error"})`,
          hint: "pass --manifest PATH or set MITTELO_MANIFEST; the default is ./matrix.yaml",
        },
      ],
    };
  }
  return parseManifestText(file, source);
}

/** Parses manifest text already in memory (used by loadManifest and by tests). */
export function parseManifestText(file: string, source: string): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const diagnostics: Diagnostic[] = [];
  for (const error of doc.errors) {
    const [start, end] = error.pos;
    const pos = lineCounter.linePos(start);
    const message = error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? error.message;
    diagnostics.push({
      code: `yaml-${error.code.toLowerCase().replace(/_/g, "-")}`,
      file,
      line: pos.line,
      col: pos.col,
      path: "",
      message,
      hint: YAML_HINTS[error.code] ?? "fix the YAML syntax at this position",
      span: Math.max(1, end - start),
    });
  }
  if (diagnostics.length) return { ok: false, source, diagnostics };
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (data === null || data === undefined) {
    return {
      ok: false,
      source,
      diagnostics: [
        {
          code: "empty-manifest",
          file,
          line: 1,
          col: 1,
          path: "",
          message: "the manifest is empty",
          hint: "start from the shipped matrix.yaml: it needs at least `version: 1` and `backends:`",
        },
      ],
    };
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    const pos = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]) : { line: 1, col: 1 };
    return {
      ok: false,
      source,
      diagnostics: [
        {
          code: "root-not-mapping",
          file,
          line: pos.line,
          col: pos.col,
          path: "",
          message: `the top level must be a mapping (key: value), not ${Array.isArray(data) ? "a list" : `a ${typeof data}`}`,
          hint: "the manifest starts with `version: 1` and a `backends:` mapping",
        },
      ],
    };
  }
  return { ok: true, manifest: { file, source, doc, lineCounter, data } };
}

/**
 * Finds the source position of a path in the document. With `key: true`, the position of the last
 * segment's key (for unknown keys). Falls back to the deepest ancestor that exists.
 */
export function locate(
  manifest: Pick<LoadedManifest, "doc" | "lineCounter">,
  segments: ReadonlyArray<string | number>,
  options: { key?: boolean } = {},
): { line: number; col: number; span: number } {
  let node: unknown = manifest.doc.contents;
  let found: Node | undefined = node as Node | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      if (last && options.key && isScalar(pair.key)) {
        found = pair.key;
        break;
      }
      node = pair.value;
      found = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (!item) break;
      node = item;
      found = item as Node;
    } else break;
  }
  const range = found?.range;
  if (!range) return { line: 1, col: 1, span: 1 };
  const pos = manifest.lineCounter.linePos(range[0]);
  return { line: pos.line, col: pos.col, span: Math.max(1, range[1] - range[0]) };
}
