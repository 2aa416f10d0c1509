// The one parser of numeric flags: every command's numbers are checked the same way, and the error names the flag.
import { MitteloError } from "../../util/errors.ts";

export interface NumberRule {
  /** Only whole numbers. */
  integer?: boolean;
  /** The smallest value accepted. */
  min?: number;
  /** The largest value accepted. */
  max?: number;
  /** Values must be greater than this (for numbers that are not whole: `above: 0` is "> 0"). */
  above?: number;
}

/** `value` as a number obeying `rule`, else a usage error (exit 2) naming `flag`, the rule and the value. */
export function parseNumberFlag(value: string, flag: string, rule: NumberRule = {}): number {
  const n = value.trim() === "" ? Number.NaN : Number(value);
  const ok =
    Number.isFinite(n) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || n >= rule.min) &&
    (rule.max === undefined || n <= rule.max) &&
    (rule.above === undefined || n > rule.above);
  if (!ok) throw new MitteloError("bad-flag", `${flag} must be ${describe(rule)}, got '${value}'`);
  return n;
}

/** "a whole number from 1 to 1000", "a whole number >= 1", "a number > 0", "an integer". */
function describe(rule: NumberRule): string {
  const kind = rule.integer ? "a whole number" : "a number";
  if (rule.min !== undefined && rule.max !== undefined) return `${kind} from ${rule.min} to ${rule.max}`;
  if (rule.min !== undefined) return `${kind} >= ${rule.min}`;
  if (rule.above !== undefined) return `${kind} > ${rule.above}`;
  if (rule.max !== undefined) return `${kind} <= ${rule.max}`;
  return rule.integer ? "an integer" : "a number";
}

/** A count or size that must be at least 1. */
export const POSITIVE_INTEGER: NumberRule = { integer: true, min: 1 };
/** A length of time or a rate: any number above 0. */
export const POSITIVE: NumberRule = { above: 0 };
