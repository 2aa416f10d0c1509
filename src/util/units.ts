const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/;
const DURATION_FACTORS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration (number of seconds, or `120s`, `1.5m`, `500ms`) into milliseconds; undefined when malformed. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (DURATION_FACTORS[match[2] as string] as number));
}

const BYTES = /^([0-9]+)(B|KiB|MiB|GiB)$/;
const BYTE_FACTORS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Parses a size (number of bytes, or `10MiB`) into bytes; undefined when malformed. */
export function parseBytes(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = BYTES.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * (BYTE_FACTORS[match[2] as string] as number);
}

/** Formats milliseconds for people: `850 ms`, `12.3 s`, `2 min 5 s`. */
/** `20261124T031502Z`: a UTC timestamp safe in file names. */
export function fileTimestamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}
