// Human text for preflight results: one block per backend (backend-check) and one table row (doctor).
import { textTable } from "../util/text-table.ts";
import { formatMs } from "../util/units.ts";
import { firstHint } from "./status.ts";
import type { Finding, PreflightResult } from "./types.ts";

const MARK: Record<Finding["severity"], string> = { fail: "✗", warn: "!", info: "·" };

export function renderResult(result: PreflightResult): string {
  const lines = [`${result.backend}: ${result.status} (${formatMs(result.durationMs)})`];
  if (result.binary) lines.push(`  binary: ${result.binary}`);
  const v = result.version;
  if (v) lines.push(`  version: ${v.seen ?? "?"}${v.locked ? ` (locked ${v.locked}${v.verified ? `, verified ${v.verified}` : ""})` : ""}`);
  for (const f of result.findings) {
    lines.push(`  ${MARK[f.severity]} ${f.code}: ${f.message}`);
    if (f.evidence) lines.push(`      evidence: ${f.evidence}`);
    if (f.hint) lines.push(`      fix: ${f.hint}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Columns: backend, status, version seen vs locked, first fix hint. */
export function resultRow(result: PreflightResult): string[] {
  const v = result.version;
  const version = v ? `${v.seen ?? "-"}${v.locked ? ` / ${v.locked}` : ""}` : "-";
  const first = result.findings.find((f) => f.severity === result.status);
  return [result.backend, result.status, version, first ? `${first.code}: ${firstHint(result) ?? first.message}` : ""];
}

/** A plain text table with aligned columns. */
export function table(header: string[], rows: string[][]): string {
  return `${textTable(header, rows, { rule: true }).join("\n")}\n`;
}
