// --update-lock: writes each passing backend's seen version and today's date into matrix.yaml.
// Edits are surgical (only the scalars' source ranges change), so comments and formatting stay exactly as they were.
// A value is written as the yaml library serialises it (quoted when it must be, in a flow map too), the result is
// parsed back and checked before it replaces the file, atomically (temp file + rename).
import { readFileSync, statSync } from "node:fs";
import semver from "semver";
import { isMap, isPair, isScalar, parse, parseDocument, type Scalar, stringify, type YAMLMap } from "yaml";
import { EXIT_FAIL, MitteloError } from "../util/errors.ts";
import { writeFileAtomic } from "../util/files.ts";

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

/** The longest version text written into a lock; a CLI printing more is not printing a version. */
export const MAX_VERSION_LENGTH = 128;

const readsBack = (text: string, value: string) => {
  try {
    return parse(`k: ${text}`)?.k === value && (parse(`[${text}]`) as unknown[])?.[0] === value;
  } catch {
    return false;
  }
};

/**
 * A string as a YAML scalar that reads back as the same string in a block or a flow mapping: the yaml library's
 * rendering (in the quote style asked for, when it can), else a double-quoted (JSON) string.
 */
export function scalarText(value: string, style: Scalar["type"] = "PLAIN"): string {
  const defaultStringType = style === "QUOTE_DOUBLE" ? "QUOTE_DOUBLE" : style === "QUOTE_SINGLE" ? "QUOTE_SINGLE" : "PLAIN";
  const flow = stringify([value], { collectionStyle: "flow", lineWidth: 0, defaultStringType }).trim();
  const text = flow.startsWith("[ ") && flow.endsWith(" ]") ? flow.slice(2, -2) : "";
  return text && !text.includes("\n") && readsBack(text, value) ? text : JSON.stringify(value);
}

function replaceScalar(node: Scalar, value: string): Edit | undefined {
  const range = node.range;
  if (!range) return undefined;
  return { start: range[0], end: range[1], text: scalarText(value, node.type) };
}

/** Why a version text is not written into a lock (too long, control characters); undefined when it may be. */
export function unfitVersion(version: string): string | undefined {
  if (!version.trim()) return "it is empty";
  if (version.length > MAX_VERSION_LENGTH) return `it is ${version.length} characters long (at most ${MAX_VERSION_LENGTH})`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(version)) return "it contains control characters";
  if (semver.validRange(version) === null) return "it is not a version or a semver range";
  return undefined;
}

/** Applies the updates to the manifest text; returns the new text, which backends changed and which were skipped (why). */
export function applyLockUpdates(
  source: string,
  updates: LockUpdate[],
  today: string,
): { text: string; changed: string[]; skipped: Array<{ backend: string; why: string }> } {
  const doc = parseDocument(source);
  const edits: Edit[] = [];
  const changed: string[] = [];
  const skipped: Array<{ backend: string; why: string }> = [];
  for (const { backend, version } of updates) {
    const unfit = unfitVersion(version);
    if (unfit) {
      skipped.push({ backend, why: `the version text ${JSON.stringify(version.slice(0, 40))}${version.length > 40 ? "…" : ""} is not written: ${unfit}` });
      continue;
    }
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
    if (!lockValue) additions.push(`lock: ${scalarText(version)}`);
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
  checkReadsBack(
    text,
    updates.filter((u) => changed.includes(u.backend)),
  );
  return { text, changed, skipped };
}

/** The edited manifest must parse without errors and give every updated backend exactly its new lock. */
function checkReadsBack(text: string, updates: LockUpdate[]): void {
  const doc = parseDocument(text, { uniqueKeys: false });
  const wrong = doc.errors.length
    ? `it does not parse: ${doc.errors[0]?.message.split("\n")[0]}`
    : updates.find((u) => doc.getIn(["backends", u.backend, "version", "lock"]) !== u.version)?.backend;
  if (wrong !== undefined) {
    throw new MitteloError(
      "update-lock",
      `--update-lock did not write the manifest: the edited text would not read back (${doc.errors.length ? wrong : `lock of ${wrong}`})`,
      {
        hint: "this is a bug in mittelo; the manifest is unchanged",
        exitCode: EXIT_FAIL,
      },
    );
  }
}

export function updateLockFile(
  file: string,
  updates: LockUpdate[],
  today = new Date().toISOString().slice(0, 10),
): { changed: string[]; skipped: Array<{ backend: string; why: string }> } {
  const source = readFileSync(file, "utf8");
  const { text, changed, skipped } = applyLockUpdates(source, updates, today);
  if (changed.length) writeFileAtomic(file, text, statSync(file).mode & 0o7777);
  return { changed, skipped };
}
