import { relative } from "node:path";

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

/** Formats diagnostics like a compiler: `file:line:col: error[code] path: message`, the source line, a caret, the hint. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], source: string | undefined, cwd = process.cwd()): string {
  const lines = source?.split(/\r?\n/) ?? [];
  const out: string[] = [];
  for (const d of diagnostics) {
    const file = relative(cwd, d.file) || d.file;
    const where = d.line > 0 ? `${file}:${d.line}:${d.col}` : file;
    out.push(`${where}: error[${d.code}]${d.path ? ` ${d.path}:` : ""} ${d.message}`);
    const text = d.line > 0 ? lines[d.line - 1] : undefined;
    if (text !== undefined) {
      const gutter = String(d.line).padStart(5);
      out.push(`${gutter} | ${text.replace(/\t/g, "→")}`);
      const caretCol = Math.max(1, d.col);
      const span = Math.max(1, Math.min(d.span ?? 1, Math.max(1, text.length - caretCol + 1)));
      out.push(`${" ".repeat(gutter.length)} | ${" ".repeat(caretCol - 1)}${"^".repeat(span)}`);
    }
    if (d.hint) out.push(`  hint: ${d.hint}`);
  }
  const count = diagnostics.length;
  out.push(`${count} error${count === 1 ? "" : "s"} in manifest`);
  return `${out.join("\n")}\n`;
}
