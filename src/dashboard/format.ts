// Cell formatting shared by the plain snapshot and the live view (pure).
import { textTable } from "../util/text-table.ts";

export { truncate } from "../util/text-table.ts";

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

/** Aligns columns; the last column gets what is left of `width` and every line is cut to `width`. */
export function table(header: string[], rows: string[][], width: number): string[] {
  return textTable(header, rows, { width });
}
