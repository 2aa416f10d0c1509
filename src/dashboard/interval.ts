// Parses --interval: "200ms", "1s", "1.5s", "2m", or a bare number of seconds.
import { MitteloError } from "../util/errors.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

export function parseInterval(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (UNITS[match[2] ?? "s"] ?? 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 100 || ms > 3_600_000) {
    throw new MitteloError("usage", `--interval must be a duration from 100ms to 60m such as 500ms, 1s or 2m, got "${value}"`);
  }
  return Math.round(ms);
}
