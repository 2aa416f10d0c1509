// Cell formatting shared by the plain snapshot and the live view (pure).

/** "3s", "4m", "2h", "5d" (rounded down, never negative). */
export function age(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Lease time left: "42s", or "expired". */
export function remaining(seconds: number): string {
  return seconds <= 0 ? "expired" : age(Math.ceil(seconds));
}

/** A value (string or JSON) as text. */
export function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The first non-blank line, control characters removed, tabs as spaces. */
export function firstLine(value: string): string {
  const line = value.split(/\r?\n|\r/).find((l) => l.trim() !== "") ?? "";
  return line
    .replace(/\t/g, " ")
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    .trim();
}

/** Cuts to `width` characters, marking the cut with "…". */
export function truncate(value: string, width: number): string {
  if (width <= 0) return "";
  const chars = Array.from(value);
  return chars.length <= width ? value : `${chars.slice(0, width - 1).join("")}…`;
}

/** Aligns columns; the last column gets what is left of `width` and every line is cut to `width`. */
export function table(header: string[], rows: string[][], width: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Array.from(r[i] ?? "").length)));
  const lead = widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0);
  const line = (cells: string[]) => {
    const fixed = cells
      .slice(0, -1)
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ");
    const last = truncate(cells.at(-1) ?? "", Math.max(0, width - lead));
    return truncate(`${fixed}${cells.length > 1 ? "  " : ""}${last}`.trimEnd(), width);
  };
  return [line(header), ...rows.map(line)];
}
