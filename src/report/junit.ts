// junit.xml: one testsuite per backend (a testcase per case, per machine when merged from several) and one for the
// smoke pairs. With --repeat a testcase is the case over its runs (`flaky 2/4` in its message).
import { effectiveOutcome } from "../backends/outcome.ts";
import { caseStatus, type ReportModel, resultText } from "./model.ts";

const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;
const esc = (text: string) => text.replace(INVALID_XML, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

interface Case {
  classname: string;
  name: string;
  ms: number | undefined;
  kind: "pass" | "skipped" | "failure" | "error";
  message: string;
  body: string;
}

function testcase(c: Case): string {
  const open = `    <testcase classname="${esc(c.classname)}" name="${esc(c.name)}" time="${seconds(c.ms)}"`;
  if (c.kind === "pass") return c.message ? `${open}>\n      <system-out>${esc(c.message)}</system-out>\n    </testcase>` : `${open}/>`;
  const inner =
    c.kind === "skipped"
      ? `<skipped message="${esc(c.message)}"/>`
      : `<${c.kind} message="${esc(c.message)}" type="${esc(c.message.split(":")[0] ?? "")}">${esc(c.body)}</${c.kind}>`;
  return `${open}>\n      ${inner}\n    </testcase>`;
}

function suite(name: string, cases: Case[]): string {
  const count = (kind: Case["kind"]) => cases.filter((c) => c.kind === kind).length;
  const time = cases.reduce((s, c) => s + (c.ms ?? 0), 0);
  return [
    `  <testsuite name="${esc(name)}" tests="${cases.length}" failures="${count("failure")}" errors="${count("error")}" skipped="${count("skipped")}" time="${seconds(time)}">`,
    ...cases.map(testcase),
    "  </testsuite>",
  ].join("\n");
}

export function renderJunit(model: ReportModel): string {
  const suites: Array<[string, Case[]]> = model.backends.map((b) => [
    b.name,
    b.cases.map((c) => {
      const v = c.shown.verdict;
      const run = c.shown.run;
      const outcome = effectiveOutcome(c.result);
      const status = caseStatus(b.expected, outcome);
      const got = model.repeat > 1 || c.result.outcome === "FLAKY" ? resultText(c.result, model.repeat) : c.result.outcome;
      const message = `${v.reason}: ${v.message}`;
      const body = [
        c.result.runs > 1 && `runs: ${c.runs.map((r) => `#${r.repetition} ${r.verdict.outcome}`).join(", ")}`,
        v.evidence && `evidence: ${v.evidence}`,
        v.hint && `hint: ${v.hint}`,
        run?.stderrTail && `stderr: ${run.stderrTail}`,
      ]
        .filter(Boolean)
        .join("\n");
      const matched = status.ok || status.directive === "TODO";
      const kind: Case["kind"] = matched ? (outcome === "SKIP" ? "skipped" : "pass") : outcome === "ERROR" ? "error" : "failure";
      const note =
        kind === "pass"
          ? outcome === "PASS" && c.result.outcome === "PASS"
            ? model.repeat > 1
              ? got
              : ""
            : c.result.accepted
              ? `accepted: ${got} (min_pass_rate ${c.result.minPassRate}) — ${message}`
              : `as expected: ${got} — ${message}`
          : matched
            ? message
            : `expected ${b.expected.toUpperCase()}, got ${got} — ${message}`;
      const ms = c.runs.reduce((sum, r) => sum + (r.run?.durationMs ?? 0), 0);
      // The name stays the same from run to run (CI tools track tests by it); the count is in the message.
      return { classname: b.name, name: model.labels.length > 1 ? `${c.name} [${c.label}]` : c.name, ms, kind, message: note, body };
    }),
  ]);
  if (model.pairs.length) {
    suites.push([
      "pair-smoke",
      model.pairs.map((p) => {
        const status = caseStatus(p.expected, p.verdict.outcome);
        const message = `${p.verdict.reason}: ${p.verdict.message}`;
        return {
          classname: "pair-smoke",
          name: model.labels.length > 1 ? `${p.pair} [${p.label}]` : p.pair,
          ms: p.durationMs,
          kind: status.ok ? (p.verdict.outcome === "SKIP" ? "skipped" : "pass") : "failure",
          message,
          body: p.verdict.evidence ?? "",
        } satisfies Case;
      }),
    ]);
  }
  const all = suites.flatMap(([, cases]) => cases);
  const count = (kind: Case["kind"]) => all.filter((c) => c.kind === kind).length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="mittelo matrix" tests="${all.length}" failures="${count("failure")}" errors="${count("error")}" skipped="${count("skipped")}" time="${seconds(model.end?.durationMs)}">`,
    ...suites.map(([name, cases]) => suite(name, cases)),
    "</testsuites>",
    "",
  ].join("\n");
}
