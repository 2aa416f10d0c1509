import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument, type Document, visit, type YAMLMap } from "yaml";
import type { Diagnostic } from "./diagnostic.ts";
import { decodeManifest } from "./encoding.ts";

/** The largest manifest read: a manifest describes backends, not data (the shipped one is ~20 KB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Alias expansions allowed per anchor: enough for any real manifest, far too few for an alias bomb. */
const MAX_ALIAS_COUNT = 100;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

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
  let bytes: Buffer;
  let size: number | undefined;
  try {
    ({ bytes, size } = await readBounded(file, MAX_MANIFEST_BYTES));
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
  if (bytes.length > MAX_MANIFEST_BYTES) {
    return {
      ok: false,
      diagnostics: [
        {
          code: "manifest-too-large",
          file,
          line: 0,
          col: 0,
          path: "",
          message:
            size === undefined
              ? `the manifest is more than the limit of ${mib(MAX_MANIFEST_BYTES)} (reading stopped there)`
              : `the manifest is ${mib(size)}, more than the limit of ${mib(MAX_MANIFEST_BYTES)}`,
          hint: "a manifest describes backends, not data: move large prompts or outputs out of it",
        },
      ],
    };
  }
  const decoded = decodeManifest(bytes);
  if (!decoded.ok) return { ok: false, diagnostics: [{ ...decoded.diagnostic, file, path: "" }] };
  return parseManifestText(file, decoded.text);
}

/** Reads at most `limit + 1` bytes (so a huge file, /dev/zero or a pipe never fills memory); `size` of a regular file. */
async function readBounded(file: string, limit: number): Promise<{ bytes: Buffer; size: number | undefined }> {
  const handle = await open(file, "r");
  try {
    const stat = await handle.stat();
    const size = stat.isFile() ? stat.size : undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= limit) {
      const chunk = Buffer.alloc(Math.min(1024 * 1024, limit + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    return { bytes: Buffer.concat(chunks), size };
  } finally {
    await handle.close();
  }
}

/** Parses manifest text already in memory (used by loadManifest and by tests). */
export function parseManifestText(file: string, source: string): LoadResult {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below in one pass: the yaml library's own check compares every key with every other.
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true });
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
  if (!diagnostics.length) diagnostics.push(...duplicateKeys(doc, file, lineCounter));
  if (diagnostics.length) return { ok: false, source, diagnostics };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (error) {
    if (!/alias/i.test((error as Error)?.message ?? "")) throw error;
    const alias = bombAlias(doc);
    const pos = alias?.range ? lineCounter.linePos(alias.range[0]) : { line: 1, col: 1 };
    return {
      ok: false,
      source,
      diagnostics: [
        {
          code: "yaml-alias-limit",
          file,
          line: pos.line,
          col: pos.col,
          path: "",
          message: `aliases here expand to too much data (more than ${MAX_ALIAS_COUNT} expansions of one anchor: a YAML alias bomb?)`,
          hint: "write the values out, or use defaults and alias_of instead of nested YAML anchors",
          span: alias?.range ? Math.max(1, alias.range[1] - alias.range[0]) : 1,
        },
      ],
    };
  }
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

/** Keys defined twice in one mapping (`yaml-duplicate-key`), in one pass over the document. */
function duplicateKeys(doc: Document.Parsed, file: string, lineCounter: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const id = `${typeof pair.key.value}:${String(pair.key.value)}`;
        if (!seen.has(id)) {
          seen.add(id);
          continue;
        }
        const [start, end] = pair.key.range ?? [0, 1];
        const pos = lineCounter.linePos(start);
        out.push({
          code: "yaml-duplicate-key",
          file,
          line: pos.line,
          col: pos.col,
          path: "",
          message: "Map keys must be unique",
          hint: YAML_HINTS.DUPLICATE_KEY,
          span: Math.max(1, end - start),
        });
      }
    },
  });
  return out;
}

/** Where an alias bomb starts: the first alias of an anchor that itself contains aliases (else the first alias). */
function bombAlias(doc: Document.Parsed): Node | undefined {
  let first: Node | undefined;
  let nested: Node | undefined;
  visit(doc, {
    Alias(_, alias) {
      first ??= alias;
      const source = alias.resolve(doc);
      let inner = false;
      if (source)
        visit(source, {
          Alias() {
            inner = true;
            return visit.BREAK;
          },
        });
      if (inner) {
        nested = alias;
        return visit.BREAK;
      }
    },
  });
  return nested ?? first;
}

const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

/** The pair of `key` in a mapping, through an index built once per mapping (locate is called once per diagnostic). */
function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    pairIndex.set(map, index);
  }
  return index.get(key);
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
      const pair = pairOf(node, String(segment));
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
