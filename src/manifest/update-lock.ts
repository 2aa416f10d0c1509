// --update-lock: writes each passing backend's seen version and today's date into matrix.yaml.
// Edits are surgical (only the scalars' source ranges change), so comments and formatting stay exactly as they were.
import { readFileSync, writeFileSync } from "node:fs";
import { isMap, isPair, isScalar, parseDocument, type Scalar, type YAMLMap } from "yaml";

export interface LockUpdate {
  backend: string;
  version: string;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function pairOf(map: YAMLMap, key: string) {
  return map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
}

function replaceScalar(node: Scalar, value: string): Edit | undefined {
  const range = node.range;
  if (!range) return undefined;
  const quote = node.type === "QUOTE_DOUBLE" ? '"' : node.type === "QUOTE_SINGLE" ? "'" : "";
  return { start: range[0], end: range[1], text: `${quote}${value}${quote}` };
}

/** Applies the updates to the manifest text; returns the new text and which backends changed. */
export function applyLockUpdates(source: string, updates: LockUpdate[], today: string): { text: string; changed: string[] } {
  const doc = parseDocument(source);
  const edits: Edit[] = [];
  const changed: string[] = [];
  for (const { backend, version } of updates) {
    const lock = doc.getIn(["backends", backend, "version"], true);
    if (!isMap(lock)) continue;
    const lockPair = pairOf(lock, "lock");
    const verifiedPair = pairOf(lock, "verified");
    const lockValue = lockPair && isScalar(lockPair.value) ? lockPair.value : undefined;
    const verifiedValue = verifiedPair && isScalar(verifiedPair.value) ? verifiedPair.value : undefined;
    if (String(lockValue?.value) === version && String(verifiedValue?.value) === today) continue;
    const anchor = lockValue ?? (lock.items.at(-1)?.value as Scalar | undefined);
    if (!anchor?.range) continue;
    if (lockValue) {
      const edit = replaceScalar(lockValue, version);
      if (edit) edits.push(edit);
    }
    const additions: string[] = [];
    if (!lockValue) additions.push(`lock: ${version}`);
    if (verifiedValue) {
      const edit = replaceScalar(verifiedValue, today);
      if (edit) edits.push(edit);
    } else additions.push(`verified: ${today}`);
    if (additions.length) {
      const at = anchor.range[1];
      if (lock.flow) edits.push({ start: at, end: at, text: additions.map((a) => `, ${a}`).join("") });
      else {
        const lineStart = source.lastIndexOf("\n", at - 1) + 1;
        const indent = /^\s*/.exec(source.slice(lineStart))?.[0] ?? "";
        const lineEnd = source.indexOf("\n", at);
        const insertAt = lineEnd === -1 ? source.length : lineEnd;
        edits.push({ start: insertAt, end: insertAt, text: additions.map((a) => `\n${indent}${a}`).join("") });
      }
    }
    changed.push(backend);
  }
  let text = source;
  for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return { text, changed };
}

export function updateLockFile(file: string, updates: LockUpdate[], today = new Date().toISOString().slice(0, 10)): string[] {
  const source = readFileSync(file, "utf8");
  const { text, changed } = applyLockUpdates(source, updates, today);
  if (changed.length) writeFileSync(file, text);
  return changed;
}
