// Plain-text tables with aligned columns (doctor, hub status, the dashboard). Widths count code points, so a name
// with an emoji or an accent lines up; the last column is never padded and lines carry no trailing blanks.

const widthOf = (text: string) => Array.from(text).length;

/** Cuts to `width` code points, marking the cut with "…". */
export function truncate(value: string, width: number): string {
  if (width <= 0) return "";
  const chars = Array.from(value);
  return chars.length <= width ? value : `${chars.slice(0, width - 1).join("")}…`;
}

export interface TableOptions {
  /** A line of dashes under the header. */
  rule?: boolean;
  /** Cut every line to this many code points; the last column gets what the others leave. */
  width?: number;
}

/** The header and rows as lines: columns separated by two blanks, padded to the widest cell of each column. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string[] {
  const widths = header.map((h, i) => Math.max(widthOf(h), ...rows.map((r) => widthOf(r[i] ?? ""))));
  const lead = widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0);
  const line = (cells: readonly string[]) => {
    const padded = cells.map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat(Math.max(0, (widths[i] ?? 0) - widthOf(c)))));
    if (options.width === undefined) return padded.join("  ").trimEnd();
    const last = truncate(padded.at(-1) ?? "", Math.max(0, options.width - lead));
    return truncate([...padded.slice(0, -1), last].join("  ").trimEnd(), options.width);
  };
  const lines = [line(header)];
  if (options.rule) lines.push(line(widths.map((w) => "-".repeat(w))));
  return [...lines, ...rows.map(line)];
}
