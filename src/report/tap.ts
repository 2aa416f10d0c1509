// TAP 14: one subtest per backend (one test point per case) and per smoke pair, YAML diagnostics.
import { stringify } from "yaml";
import { formatMs } from "../util/units.ts";
import { caseStatus, type ReportModel } from "./model.ts";

const oneLine = (text: string) => text.replace(/[\r\n#]+/g, " ").trim();

function diagnostics(obj: Record<string, unknown>, indent: string): string {
  const clean = Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== ""));
  const body = stringify(clean, { lineWidth: 0 }).trimEnd().split("\n");
  return [`${indent}  ---`, ...body.map((l) => `${indent}  ${l}`), `${indent}  ...`].join("\n");
}

function point(ok: boolean, n: number, name: string, directive: string | undefined, indent: string): string {
  return `${indent}${ok ? "ok" : "not ok"} ${n} - ${oneLine(name)}${directive ? ` # ${directive}` : ""}`;
}

export function renderTap(model: ReportModel): string {
  const lines = ["TAP version 14", `# mittelo ${model.start.tool.version} · profile ${model.start.profile ?? "(none)"} · ${model.start.manifest.path}`];
  const total = model.backends.length + model.pairs.length;
  lines.push(`1..${total}`);
  let n = 0;
  for (const b of model.backends) {
    n++;
    lines.push(`# Subtest: ${b.name}`);
    lines.push(`    1..${b.cases.length}`);
    b.cases.forEach((c, i) => {
      const status = caseStatus(b.expected, c.verdict.outcome);
      const directive = status.directive ? `${status.directive} ${oneLine(`${c.verdict.reason}: ${c.verdict.message}`)}` : undefined;
      lines.push(point(status.ok, i + 1, c.case, directive, "    "));
      if (!status.ok || c.verdict.outcome !== "PASS") {
        lines.push(
          diagnostics(
            {
              outcome: c.verdict.outcome,
              expected: b.expected,
              reason: c.verdict.reason,
              rule: c.verdict.rule,
              message: c.verdict.message,
              evidence: c.verdict.evidence,
              hint: c.verdict.hint,
              rc: c.run?.exitCode,
              latency: c.run ? formatMs(c.run.durationMs) : undefined,
              stderr: c.run?.stderrTail,
            },
            "    ",
          ),
        );
      }
    });
    const status = caseStatus(b.expected, b.outcome);
    const why = b.verdict && b.outcome !== "PASS" ? oneLine(`${b.verdict.reason}: ${b.verdict.message}${b.verdict.hint ? ` — ${b.verdict.hint}` : ""}`) : "";
    lines.push(point(status.ok, n, `${b.name} ${b.outcome}`, status.directive ? `${status.directive} ${why}` : undefined, ""));
    if (!b.matches)
      lines.push(
        diagnostics({ expected: b.expected.toUpperCase(), got: b.outcome, reason: b.verdict?.reason, message: b.verdict?.message, hint: b.verdict?.hint }, ""),
      );
  }
  for (const p of model.pairs) {
    n++;
    const status = caseStatus(p.expected, p.verdict.outcome);
    const directive = status.directive ? `${status.directive} ${oneLine(`${p.verdict.reason}: ${p.verdict.message}`)}` : undefined;
    lines.push(point(status.ok, n, `pair ${p.pair} (${p.a} + ${p.b}) ${p.verdict.outcome}`, directive, ""));
    if (!status.ok)
      lines.push(
        diagnostics({ expected: p.expected, reason: p.verdict.reason, message: p.verdict.message, evidence: p.verdict.evidence, hint: p.verdict.hint }, ""),
      );
  }
  if (model.end) {
    const c = model.end.counts;
    lines.push(`# PASS ${c.PASS} · FAIL ${c.FAIL} · SKIP ${c.SKIP} · ERROR ${c.ERROR} · ${formatMs(model.end.durationMs)}`);
  }
  return `${lines.join("\n")}\n`;
}
