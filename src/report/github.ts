// GitHub Actions: workflow-command annotations (`::error file=matrix.yaml,line=N::…`) for manifest errors and for
// outcomes that differ from their expectation, pointing at the backend's entry in matrix.yaml. Pure: returns lines.
import { relative, sep } from "node:path";
import type { Diagnostic } from "../manifest/diagnostic.ts";
import { type ReportModel, resultText } from "./model.ts";

const escapeData = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function ghCommand(command: "error" | "warning" | "notice", properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(",");
  return `::${command}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

/** A path as GitHub wants it: relative to the workspace (the repository root) when inside it. */
export function workspacePath(file: string, workspace: string): string {
  const rel = relative(workspace, file);
  return rel && !rel.startsWith("..") && !rel.startsWith(sep) ? rel.split(sep).join("/") : file;
}

/** One annotation per backend (per machine) and pair whose outcome differs from its expectation. */
export function outcomeAnnotations(model: ReportModel, workspace: string): string[] {
  const file = workspacePath(model.start.manifest.path, workspace);
  const multi = model.labels.length > 1;
  const out: string[] = [];
  for (const b of model.backends) {
    for (const m of b.machines) {
      if (m.matches) continue;
      const v = m.verdict;
      out.push(
        ghCommand(
          "error",
          {
            file,
            line: b.line,
            title: `mittelo: ${b.name}${multi ? ` on ${m.label}` : ""} expected ${b.expected.toUpperCase()}, got ${resultText(m, model.repeat)}`,
          },
          `${b.name}${multi ? ` on ${m.label}` : ""}: expected ${b.expected.toUpperCase()}, got ${resultText(m, model.repeat)}${v ? ` — ${v.reason}: ${v.message}${v.hint ? ` (next: ${v.hint})` : ""}` : ""}`,
        ),
      );
    }
  }
  const pairLines = new Map(model.start.pairs.map((p) => [p.name, p.line]));
  for (const p of model.pairs) {
    if (p.matches) continue;
    out.push(
      ghCommand(
        "error",
        {
          file,
          line: pairLines.get(p.pair),
          title: `mittelo: pair ${p.pair}${multi ? ` on ${p.label}` : ""} expected ${p.expected.toUpperCase()}, got ${p.verdict.outcome}`,
        },
        `pair ${p.pair}: expected ${p.expected.toUpperCase()}, got ${p.verdict.outcome} — ${p.verdict.reason}: ${p.verdict.message}`,
      ),
    );
  }
  return out;
}

/** One annotation per manifest diagnostic, at its line and column. */
export function diagnosticAnnotations(diagnostics: readonly Diagnostic[], workspace: string): string[] {
  return diagnostics.map((d) =>
    ghCommand(
      "error",
      { file: workspacePath(d.file, workspace), line: d.line || undefined, col: d.col || undefined, title: `mittelo: ${d.code}` },
      `${d.path ? `${d.path}: ` : ""}${d.message}${d.hint ? ` (hint: ${d.hint})` : ""}`,
    ),
  );
}
