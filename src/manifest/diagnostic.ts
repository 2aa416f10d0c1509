import { relative } from "node:path";
import { printable } from "../util/printable.ts";

/** One problem found in a manifest, with where it is and what to do. */
export interface Diagnostic {
  /** Stable machine-readable code, e.g. `unknown-key`, `yaml-syntax`, `alias-cycle`. */
  code: string;
  file: string;
  /** 1-based line and column; 0 when the problem has no position (e.g. unreadable file). */
  line: number;
  col: number;
  /** Where in the document, as a dotted path (`backends.codex.requires`); empty for the root. */
  path: string;
  message: string;
  hint?: string;
  /** Length of the span to underline (at least 1). */
  span?: number;
}

/** Renders a JSON pointer segment list as `backends.codex.cases[0].prompt`. */
export function formatPath(segments: ReadonlyArray<string | number>): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number" || /^[0-9]+$/.test(segment)) out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

/** The longest source line shown under a diagnostic; longer ones are cut around the column. */
const MAX_SHOWN_LINE = 200;

/**
 * Formats diagnostics like a compiler: `file:line:col: error[code] path: message`, the source line, a caret, the hint.
 * Everything taken from the manifest is shown with its control characters escaped (no raw escape sequence reaches
 * the terminal) and a long line is cut around the column.
 */
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  source: string | undefined,
  cwd = process.cwd(),
  severity: "error" | "warning" = "error",
): string {
  const lines = source?.split(/\r?\n/) ?? [];
  const out: string[] = [];
  const show = (text: string) => printable(text, { oneLine: true });
  for (const d of diagnostics) {
    const file = relative(cwd, d.file) || d.file;
    const where = d.line > 0 ? `${file}:${d.line}:${d.col}` : file;
    out.push(`${show(where)}: ${severity}[${d.code}]${d.path ? ` ${show(d.path)}:` : ""} ${show(d.message)}`);
    const text = d.line > 0 ? lines[d.line - 1] : undefined;
    if (text !== undefined) {
      const gutter = String(d.line).padStart(5);
      const col = Math.max(1, d.col);
      const from = col - 1 > MAX_SHOWN_LINE / 2 ? col - 1 - Math.floor(MAX_SHOWN_LINE / 4) : 0;
      const to = Math.min(text.length, from + MAX_SHOWN_LINE);
      const part = (a: number, b: number) => show(text.slice(a, b).replace(/\t/g, "→"));
      const before = `${from > 0 ? "…" : ""}${part(from, col - 1)}`;
      const marked = part(col - 1, Math.min(to, col - 1 + Math.max(1, d.span ?? 1)));
      out.push(`${gutter} | ${before}${part(col - 1, to)}${to < text.length ? "…" : ""}`);
      out.push(`${" ".repeat(gutter.length)} | ${" ".repeat(before.length)}${"^".repeat(Math.max(1, marked.length))}`);
    }
    if (d.hint) out.push(`  hint: ${show(d.hint)}`);
  }
  const count = diagnostics.length;
  if (severity === "error") out.push(`${count} error${count === 1 ? "" : "s"} in manifest`);
  return `${out.join("\n")}\n`;
}
