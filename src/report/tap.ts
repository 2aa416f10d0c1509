// TAP 14: one subtest per backend (one test point per case, per machine when merged from several) and per smoke pair,
// YAML diagnostics. With --repeat a case's point carries its count: `flaky 2/4`, `PASS 4/4`.
import { stringify } from "yaml";
import { effectiveOutcome } from "../backends/outcome.ts";
import { formatMs } from "../util/units.ts";
import { shortEvidence } from "./evidence.ts";
import { runHeadline } from "./headline.ts";
import { type CaseReport, caseStatus, type ReportModel, resultText } from "./model.ts";

const oneLine = (text: string) => text.replace(/[\r\n#]+/g, " ").trim();

function diagnostics(obj: Record<string, unknown>, indent: string): string {
  const clean = Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== ""));
  const body = stringify(clean, { lineWidth: 0 }).trimEnd().split("\n");
  return [`${indent}  ---`, ...body.map((l) => `${indent}  ${l}`), `${indent}  ...`].join("\n");
}

function point(ok: boolean, n: number, name: string, directive: string | undefined, indent: string): string {
  return `${indent}${ok ? "ok" : "not ok"} ${n} - ${oneLine(name)}${directive ? ` # ${directive}` : ""}`;
}

/** A case's name in TAP and JUnit: its name, its count with --repeat, its machine when there are several. */
export function caseTitle(model: ReportModel, c: CaseReport): string {
  const count = model.repeat > 1 ? ` ${resultText(c.result, model.repeat)}` : "";
  const accepted = c.result.accepted ? ` (accepted: min_pass_rate ${c.result.minPassRate})` : "";
  return `${c.name}${count}${accepted}${model.labels.length > 1 ? ` [${c.label}]` : ""}`;
}

/** `verbose`: evidence in full (by default long evidence is shortened; matrix.json always has it in full). */
export function renderTap(model: ReportModel, options: { verbose?: boolean } = {}): string {
  const lines = ["TAP version 14", `# mittelo ${model.start.tool.version} · profile ${model.start.profile ?? "(none)"} · ${model.start.manifest.path}`];
  for (const line of runHeadline(model)) lines.push(`# ${line}`);
  const total = model.backends.length + model.pairs.length;
  lines.push(`1..${total}`);
  let n = 0;
  for (const b of model.backends) {
    n++;
    lines.push(`# Subtest: ${b.name}`);
    lines.push(`    1..${b.cases.length}`);
    b.cases.forEach((c, i) => {
      const v = c.shown.verdict;
      const status = caseStatus(b.expected, effectiveOutcome(c.result));
      const directive = status.directive ? `${status.directive} ${oneLine(`${v.reason}: ${v.message}`)}` : undefined;
      lines.push(point(status.ok, i + 1, caseTitle(model, c), directive, "    "));
      if (!status.ok || c.result.outcome !== "PASS") {
        const run = c.shown.run;
        lines.push(
          diagnostics(
            {
              outcome: c.result.outcome,
              expected: b.expected,
              passes: model.repeat > 1 ? `${c.result.passes}/${c.result.runs}` : undefined,
              pass_rate: model.repeat > 1 ? Number(c.result.passRate.toFixed(4)) : undefined,
              min_pass_rate: c.result.minPassRate,
              machine: model.labels.length > 1 ? c.label : undefined,
              repetition: model.repeat > 1 ? c.shown.repetition : undefined,
              reason: v.reason,
              rule: v.rule,
              message: v.message,
              evidence: shortEvidence(v.evidence, options.verbose),
              hint: v.hint,
              rc: run?.exitCode,
              latency: run ? formatMs(run.durationMs) : undefined,
              stderr: run?.stderrTail,
            },
            "    ",
          ),
        );
      }
    });
    for (const m of b.machines) {
      if (m.cells < m.planCells) lines.push(`    # ${m.cells} of ${m.planCells} cells of ${b.name} ran here: the merged report has its verdict`);
    }
    const status = caseStatus(b.expected, b.outcome);
    // The reason, message and hint are in the case's diagnostics above: once is enough.
    const why = b.verdict && b.outcome !== "PASS" ? oneLine(`${b.verdict.reason}: ${b.verdict.message}`) : "";
    const perMachine = model.labels.length > 1 ? ` (${b.machines.map((m) => `${m.label} ${resultText(m, model.repeat)}`).join(" · ")})` : "";
    const accepted = b.cases.some((c) => c.result.accepted) ? " (flaky cases accepted by min_pass_rate)" : "";
    lines.push(
      point(status.ok, n, `${b.name} ${resultText(b, model.repeat)}${accepted}${perMachine}`, status.directive ? `${status.directive} ${why}` : undefined, ""),
    );
    if (!b.matches)
      lines.push(
        diagnostics(
          {
            expected: b.expected.toUpperCase(),
            got: resultText(b, model.repeat),
            machines: model.labels.length > 1 ? b.machines.filter((m) => !m.matches).map((m) => `${m.label}: ${resultText(m, model.repeat)}`) : undefined,
          },
          "",
        ),
      );
    // --bail: TAP's own way to say the run stopped; a consumer reads nothing after it.
    if (model.end?.bailOut?.backend === b.name) {
      lines.push(`Bail out! ${oneLine(model.end.bailOut.message)}`);
      return `${lines.join("\n")}\n`;
    }
  }
  for (const p of model.pairs) {
    n++;
    const status = caseStatus(p.expected, p.verdict.outcome);
    const directive = status.directive ? `${status.directive} ${oneLine(`${p.verdict.reason}: ${p.verdict.message}`)}` : undefined;
    const where = model.labels.length > 1 ? ` [${p.label}]` : "";
    lines.push(point(status.ok, n, `pair ${p.pair} (${p.a} + ${p.b}) ${p.verdict.outcome}${where}`, directive, ""));
    if (!status.ok)
      lines.push(
        diagnostics(
          {
            expected: p.expected,
            reason: p.verdict.reason,
            message: p.verdict.message,
            evidence: shortEvidence(p.verdict.evidence, options.verbose),
            hint: p.verdict.hint,
          },
          "",
        ),
      );
  }
  if (model.end) {
    const c = model.end.counts;
    lines.push(
      `# PASS ${c.PASS} · FAIL ${c.FAIL} · SKIP ${c.SKIP} · ERROR ${c.ERROR}${c.FLAKY ? ` · FLAKY ${c.FLAKY}` : ""} · ${formatMs(model.end.durationMs)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
