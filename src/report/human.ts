// The report a person reads on a terminal: one line per backend and per pair (symbol, outcome, reason, fix), a
// one-line total, where the reports are. Colours only when asked (the caller decides: TTY, NO_COLOR, FORCE_COLOR).
// Each hint and each unexpected outcome appears once; evidence only with --verbose (in full; matrix.json has it too).
import type { Result } from "../backends/outcome.ts";
import type { Verdict } from "../backends/verdict.ts";
import { type Palette, palette } from "../util/color.ts";
import { formatMs } from "../util/units.ts";
import { shortEvidence } from "./evidence.ts";
import { runHeadline } from "./headline.ts";
import { type ReportModel, resultText } from "./model.ts";

export interface HumanOptions {
  color: boolean;
  verbose?: boolean;
  /** Shown relative to this folder (the caller's cwd) when inside it. */
  cwd?: string;
}

const SYMBOL: Record<Result, string> = { PASS: "✔", FAIL: "✘", SKIP: "○", ERROR: "!", FLAKY: "~" };

function paintOutcome(p: Palette, outcome: Result, matches: boolean): (text: string) => string {
  if (!matches) return (t) => p.bold(p.red(t));
  return { PASS: p.green, FAIL: p.red, SKIP: p.yellow, ERROR: p.magenta, FLAKY: p.yellow }[outcome];
}

const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, " ").trim();

export function renderHuman(model: ReportModel, options: HumanOptions): string {
  const p = palette(options.color);
  const show = (path: string) => (options.cwd && path.startsWith(`${options.cwd}/`) ? path.slice(options.cwd.length + 1) : path);
  const { start, end } = model;
  const out: string[] = [p.dim(`mittelo ${start.tool.version} · ${show(start.manifest.path)} · profile ${start.profile ?? "(none)"}`)];
  for (const headline of runHeadline(model)) out.push(p.dim(headline));
  out.push("");
  const width = Math.max(8, ...model.backends.map((b) => b.name.length));

  const line = (label: string, outcome: Result, shown: string, matches: boolean, expected: string, detail: string, verdict: Verdict | undefined) => {
    const paint = paintOutcome(p, outcome, matches);
    const surprise = matches ? "" : ` ${p.bold(p.red(`(expected ${expected.toUpperCase()})`))}`;
    out.push(` ${paint(SYMBOL[outcome])} ${label} ${paint(shown.padEnd(5))}${surprise}  ${detail}`);
    if (options.verbose && verdict && outcome !== "PASS") {
      out.push(p.dim(`     rule ${verdict.rule}${verdict.evidence ? ` · evidence: ${shortEvidence(verdict.evidence, true)}` : ""}`));
    }
  };
  const why = (v: Verdict | undefined) => {
    if (!v) return "";
    const text = `${v.reason}: ${oneLine(v.message)}`;
    return v.hint ? `${text} ${p.dim("→")} ${oneLine(v.hint)}` : text;
  };

  for (const b of model.backends) {
    const detail = b.outcome === "PASS" ? p.dim(b.latencyMs === undefined ? "" : formatMs(b.latencyMs)) : why(b.verdict);
    const perMachine = model.labels.length > 1 ? p.dim(` (${b.machines.map((m) => `${m.label} ${resultText(m, model.repeat)}`).join(" · ")})`) : "";
    line(b.name.padEnd(width), b.outcome, resultText(b, model.repeat), b.matches, b.expected, `${detail}${perMachine}`, b.verdict);
  }
  for (const pair of model.pairs) {
    const v = pair.verdict;
    const split = pair.details.split as { a?: number; b?: number } | undefined;
    const detail =
      v.outcome === "PASS" ? p.dim(`${pair.details.tasks ?? "?"} tasks${split ? `, A ${split.a} / B ${split.b}` : ""} · ${formatMs(pair.durationMs)}`) : why(v);
    const where = model.labels.length > 1 ? ` [${pair.label}]` : "";
    line(`pair ${pair.pair} (${pair.a} + ${pair.b})${where}`, v.outcome, v.outcome, pair.matches, pair.expected, detail, v);
  }

  out.push("");
  if (end) {
    const c = end.counts;
    const counts = [
      p.green(`PASS ${c.PASS}`),
      c.FAIL ? p.red(`FAIL ${c.FAIL}`) : `FAIL ${c.FAIL}`,
      p.yellow(`SKIP ${c.SKIP}`),
      c.ERROR ? p.magenta(`ERROR ${c.ERROR}`) : `ERROR ${c.ERROR}`,
      ...(c.FLAKY ? [p.yellow(`FLAKY ${c.FLAKY}`)] : []),
    ].join(" · ");
    const n = end.mismatches.length;
    const verdict = n ? p.bold(p.red(`${n} unexpected (marked "expected" above)`)) : p.green("all as expected");
    out.push(`${counts} — ${verdict} · ${formatMs(end.durationMs)}`);
  } else {
    out.push(p.red("the run did not finish"));
  }
  out.push(p.dim(`reports: ${show(start.outDir)}/ (summary.md, matrix.json, junit.xml)`));
  return `${out.join("\n")}\n`;
}
