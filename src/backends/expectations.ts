// Checks a case's expectations against a run: pure, one Check per listed expectation.
import type { PlannedCase } from "../manifest/plan-types.ts";
import { compileInline } from "../util/ajv.ts";
import { formatMs, parseDuration } from "../util/units.ts";
import type { RunRecord } from "./run-record.ts";
import type { Check } from "./verdict.ts";

const clip = (text: string, n = 120) => (text.length > n ? `${text.slice(0, n)}…` : text);

export function checkExpectations(expect: PlannedCase["expect"], record: RunRecord, answer: string): Check[] {
  const checks: Check[] = [];
  checks.push({
    name: "exit_code",
    ok: record.exitCode === expect.exit_code,
    detail: `expected exit code ${expect.exit_code}, got ${record.exitCode ?? `signal ${record.signal}`}`,
  });
  const out = expect.stdout;
  if (out?.equals !== undefined) {
    checks.push({
      name: "stdout.equals",
      ok: answer.trim() === out.equals.trim(),
      detail: `expected ${JSON.stringify(out.equals)}, got ${JSON.stringify(clip(answer))}`,
    });
  }
  if (out?.contains !== undefined) {
    checks.push({
      name: "stdout.contains",
      ok: answer.toLowerCase().includes(out.contains.toLowerCase()),
      detail: `expected the answer to contain ${JSON.stringify(out.contains)}, got ${JSON.stringify(clip(answer))}`,
    });
  }
  if (out?.regex !== undefined) {
    checks.push({
      name: "stdout.regex",
      ok: new RegExp(out.regex, "m").test(answer),
      detail: `expected a match for /${out.regex}/, got ${JSON.stringify(clip(answer))}`,
    });
  }
  if (out?.json || out?.json_schema) {
    let parsed: unknown;
    let ok = true;
    try {
      parsed = JSON.parse(answer);
    } catch {
      ok = false;
    }
    checks.push({ name: "stdout.json", ok, detail: ok ? "the answer is JSON" : `the answer is not JSON: ${JSON.stringify(clip(answer))}` });
    if (ok && out.json_schema) {
      const validate = compileInline(out.json_schema);
      const valid = validate(parsed) as boolean;
      checks.push({
        name: "stdout.json_schema",
        ok: valid,
        detail: valid ? "the answer matches the schema" : `schema: ${validate.errors?.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ")}`,
      });
    }
  }
  for (const pattern of expect.stderr_not ?? []) {
    const match = new RegExp(pattern, "im").exec(record.stderr);
    checks.push({
      name: "stderr_not",
      ok: !match,
      detail: match ? `stderr matches /${pattern}/: ${clip(lineAround(record.stderr, match.index))}` : `stderr has no /${pattern}/`,
    });
  }
  if (expect.max_latency !== undefined) {
    const limit = parseDuration(expect.max_latency) ?? Number.POSITIVE_INFINITY;
    checks.push({ name: "max_latency", ok: record.durationMs <= limit, detail: `took ${formatMs(record.durationMs)}, limit ${formatMs(limit)}` });
  }
  return checks;
}

/** The line of `text` that contains position `index`; a long line is cut to `max` characters around `index`. */
export function lineAround(text: string, index: number, max = 300): string {
  let start = text.lastIndexOf("\n", index - 1) + 1;
  let end = text.indexOf("\n", index);
  if (end === -1) end = text.length;
  let prefix = "";
  let suffix = "";
  if (end - start > max) {
    const from = Math.max(start, index - Math.floor(max / 3));
    if (from > start) prefix = "…";
    start = from;
    if (end - start > max) {
      end = start + max;
      suffix = "…";
    }
  }
  return `${prefix}${text.slice(start, end).trim()}${suffix}`;
}
