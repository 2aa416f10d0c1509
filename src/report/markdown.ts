// summary.md: the table a person reads first (backends × machines when merged from several), flaky cases with their
// runs, then every FAIL in detail with a ready-to-file ticket.
import type { Result } from "../backends/outcome.ts";
import { excludedLabel } from "../manifest/plan.ts";
import { formatMs } from "../util/units.ts";
import { runHeadline } from "./headline.ts";
import { type BackendReport, type MachineReport, type ReportModel, resultText } from "./model.ts";
import { shellCommand, shellQuote } from "../util/shell-quote.ts";

/**
 * Text (often what a backend printed) as Markdown shows it literally: HTML is escaped (GitHub renders a summary's
 * HTML), a backslash stays a backslash, and in a table cell a pipe or a newline cannot end the cell or the row.
 */
export const mdText = (text: string | undefined) =>
  (text ?? "").replace(/\\/g, "\\\\").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, " ");
const cell = (text: string | undefined) => mdText(text).replace(/\|/g, "\\|");

/** A fenced code block that the text cannot close: the fence is longer than any run of backticks inside. */
export function mdFence(text: string, info = ""): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return [`${fence}${info}`, text, fence];
}
const ICON: Record<string, string> = { PASS: "✅", FAIL: "❌", SKIP: "⏭️", ERROR: "💥", FLAKY: "🔁" };
const shown = (r: { outcome: Result; passes: number; runs: number }, repeat: number) => `${ICON[r.outcome]} ${resultText(r, repeat)}`;

export function renderSummary(model: ReportModel): string {
  const { start, end } = model;
  const out: string[] = [];
  out.push(`# Mittelö matrix — ${start.ts}`);
  out.push("");
  const where =
    model.labels.length > 1
      ? `machines ${model.labels.map((l) => `**${l}**`).join(", ")}`
      : `machine **${start.label}** · node ${start.env.node} · ${start.env.os}/${start.env.arch}`;
  out.push(
    `Profile **${start.profile ?? "(none)"}** · manifest \`${start.manifest.path}\` · mittelo ${start.tool.version} · ${where}${end ? ` · ${formatMs(end.durationMs)}` : ""}`,
  );
  const headline = runHeadline(model);
  if (headline.length) out.push("", ...headline.map((l) => `> ${l}  `));
  if (end) {
    const c = end.counts;
    out.push("");
    out.push(
      `**${end.exitCode === 0 ? "As expected" : "Unexpected outcomes"}** — PASS ${c.PASS} · FAIL ${c.FAIL} · SKIP ${c.SKIP} · ERROR ${c.ERROR}${c.FLAKY ? ` · FLAKY ${c.FLAKY}` : ""}`,
    );
    for (const m of end.mismatches) out.push(`- ${m}`);
  }
  if (model.labels.length > 1)
    out.push("", "**By machine:**", "", ...machineTable(model), "", "**Over all machines** (reason and fix from the machine that explains the outcome):");
  out.push("");
  out.push("| backend | outcome | expected | reason | fix / next step | version | latency |");
  out.push("| --- | --- | --- | --- | --- | --- | --- |");
  for (const b of model.backends) {
    const v = b.preflight?.result.version;
    const version = v?.seen
      ? `${v.seen}${v.locked ? ` (lock ${v.locked}${v.inLock === false ? ", drift" : ""})` : ""}`
      : v?.locked
        ? `— (lock ${v.locked})`
        : "";
    const reason = b.outcome === "PASS" ? "" : `${b.verdict?.reason ?? ""}: ${b.verdict?.message ?? ""}`;
    const partial = b.machines.filter((m) => m.cells < m.planCells).map((m) => ` (${m.cells} of ${m.planCells} cells here)`)[0] ?? "";
    out.push(
      `| ${cell(b.name)} | ${shown(b, model.repeat)}${b.matches ? "" : " ⚠️"}${partial} | ${b.expected} | ${cell(reason)} | ${cell(b.outcome === "PASS" ? "" : b.verdict?.hint)} | ${cell(version)} | ${b.latencyMs === undefined ? "" : formatMs(b.latencyMs)} |`,
    );
  }
  const repeated = model.backends.flatMap((b) => b.cases.filter((c) => c.result.outcome === "FLAKY").map((c) => ({ b, c })));
  if (repeated.length) {
    out.push("", "## Flaky cases", "");
    out.push("| case | result | pass rate | pass^k | accepted | runs |");
    out.push("| --- | --- | --- | --- | --- | --- |");
    for (const { b, c } of repeated) {
      const runs = c.runs.map((r) => `#${r.repetition} ${r.verdict.outcome}${r.verdict.outcome === "PASS" ? "" : ` ${r.verdict.reason}`}`).join(", ");
      const accepted = c.result.minPassRate === undefined ? "no min_pass_rate" : `${c.result.accepted ? "yes" : "no"} (min ${c.result.minPassRate})`;
      out.push(
        `| ${cell(`${b.name}/${c.name}${model.labels.length > 1 ? ` on ${c.label}` : ""}`)} | ${shown(c.result, model.repeat)} | ${c.result.passRate.toFixed(2)} | ${c.result.allPassed ? "yes" : "no"} | ${accepted} | ${cell(runs)} |`,
      );
    }
  }
  if (model.pairs.length) {
    out.push("");
    out.push("## Pair smoke");
    out.push("");
    out.push("| pair | outcome | expected | reason | details |");
    out.push("| --- | --- | --- | --- | --- |");
    for (const p of model.pairs) {
      const split = p.details.split ? JSON.stringify(p.details.split) : "";
      const where = model.labels.length > 1 ? ` on ${p.label}` : "";
      out.push(
        `| ${cell(`${p.pair} (${p.a} + ${p.b})${where}`)} | ${ICON[p.verdict.outcome]} ${p.verdict.outcome}${p.matches ? "" : " ⚠️"} | ${p.expected} | ${cell(`${p.verdict.reason}: ${p.verdict.message}`)} | ${cell(split)} |`,
      );
    }
  }
  if (start.excluded.length) {
    out.push("");
    out.push(`Not planned: ${start.excluded.map((e) => `${excludedLabel({ ...e, kind: e.kind ?? "backend" })} (${e.why})`).join(", ")}.`);
  }
  const failing = failures(model);
  if (failing.length) {
    out.push("");
    out.push("## Failures");
    for (const [b, m] of failing) out.push("", renderTicket(model, b, m));
  }
  return `${out.join("\n")}\n`;
}

/** Backends × machines: where each backend works, where it is skipped and why, where it fails. */
function machineTable(model: ReportModel): string[] {
  const lines = [`| backend | expected | ${model.labels.map(cell).join(" | ")} |`, `| --- | --- |${" --- |".repeat(model.labels.length)}`];
  for (const b of model.backends) {
    const cells = model.labels.map((label) => {
      const m = b.machines.find((x) => x.label === label);
      if (!m) return "—";
      const why = m.outcome === "PASS" || !m.verdict ? "" : ` ${m.verdict.reason}`;
      return `${shown(m, model.repeat)}${why}${m.matches ? "" : " ⚠️"}`;
    });
    lines.push(`| ${cell(b.name)} | ${b.expected} | ${cells.map(cell).join(" | ")} |`);
  }
  return lines;
}

/** Every backend (on every machine) that failed or did not meet its expectation. */
function failures(model: ReportModel): Array<[BackendReport, MachineReport]> {
  return model.backends.flatMap((b) =>
    b.machines
      .filter((m) => m.outcome === "FAIL" || m.outcome === "ERROR" || m.outcome === "FLAKY" || !m.matches)
      .map((m): [BackendReport, MachineReport] => [b, m]),
  );
}

/** A ready-to-file ticket for a backend (on one machine) that failed or did not meet its expectation. */
export function renderTicket(model: ReportModel, b: BackendReport, machine: MachineReport = b.machines[0] as MachineReport): string {
  const m = machine;
  const c = m.cases.find((x) => x.result.outcome !== "PASS") ?? m.cases[0];
  const run = c?.shown;
  const v = run?.verdict;
  const pre = m.preflight?.result;
  const multi = model.labels.length > 1;
  const got = resultText(m, model.repeat);
  const lines = [
    `### ${b.name}${multi ? ` on ${m.label}` : ""}: expected ${b.expected.toUpperCase()}, got ${got}${v ? ` (${v.reason})` : ""}`,
    "",
    `**What happened:** ${mdText(v?.message ?? "no case ran")}${c ? ` (case \`${c.name}\`${c.result.runs > 1 ? `, run ${run?.repetition} of ${c.result.runs}` : ""}, rule \`${v?.rule}\`)` : ""}`,
  ];
  if (c && c.result.outcome === "FLAKY")
    lines.push("", `**Flaky:** ${c.result.passes} of ${c.result.runs} runs passed (${c.runs.map((r) => `#${r.repetition} ${r.verdict.outcome}`).join(", ")})`);
  if (v?.evidence) lines.push("", "**Evidence:**", "", ...mdFence(v.evidence));
  if (run?.run) {
    // A command that works as printed: the run's directory, its HOME, and its stdin (the case's prompt.txt, or nothing).
    const stdin = run.run.stdin === "empty" ? "/dev/null" : shellQuote(run.artifacts?.prompt ?? `${run.artifacts?.dir ?? "."}/prompt.txt`);
    lines.push("", "**Reproduce:**", "", "```sh");
    lines.push(`cd ${shellQuote(run.artifacts?.dir ?? ".")}`);
    // The run's HOME was a private sandbox, removed after the run (auth files are never kept in a report).
    lines.push(`HOME="$(mktemp -d)" ${shellCommand(run.run.argv)} < ${stdin}   # case ${c?.name}; a fresh HOME, as in the run`);
    lines.push("```");
    lines.push(
      "",
      `**Expected:** ${b.expected.toUpperCase()} · **Actual:** ${got}, exit ${run.run.exitCode ?? run.run.signal}, ${formatMs(run.run.durationMs)}`,
    );
    const failed = run.checks.filter((k) => !k.ok).map((k) => `${k.name}: ${k.detail}`);
    if (failed.length) lines.push("", ...failed.map((f) => `- ${mdText(f)}`));
    if (run.run.stderrTail) lines.push("", "**stderr (last lines):**", "", ...mdFence(run.run.stderrTail));
    if (run.artifacts)
      lines.push(
        "",
        `**Artifacts:** ${[run.artifacts.prompt, run.artifacts.stdout, run.artifacts.stderr, run.artifacts.result]
          .filter(Boolean)
          .map((f) => `\`${f}\``)
          .join(", ")}`,
      );
  }
  const env = model.start.merged?.machines.find((x) => x.label === m.label)?.env ?? model.start.env;
  lines.push(
    "",
    "**Environment:**",
    `- ${multi || model.start.shard ? `machine ${m.label}: ` : ""}node ${env.node}, ${env.os}/${env.arch}${env.ci ? ", CI" : ""}; loopback 127.0.0.1 ${env.loopback === false ? "NOT bindable" : "bindable"}`,
    `- preflight: ${pre ? `${pre.status}${pre.binary ? `, binary ${pre.binary}` : ""}${pre.version?.seen ? `, version ${pre.version.seen}` : ""}${pre.version?.locked ? ` (lock ${pre.version.locked})` : ""}` : "not run"}`,
  );
  for (const f of pre?.findings ?? []) lines.push(`- ${f.severity} ${f.code}: ${f.message}${f.hint ? ` — ${f.hint}` : ""}`);
  if (v?.hint) lines.push("", `**Next step:** ${v.hint}`);
  return lines.join("\n");
}

/** The ticket blocks of every failure, for `--tickets FILE`. */
export function renderTickets(model: ReportModel): string {
  const failing = failures(model);
  if (!failing.length) return "";
  return `\n## Matrix run ${model.start.ts} (profile ${model.start.profile ?? "none"})\n\n${failing.map(([b, m]) => renderTicket(model, b, m)).join("\n\n")}\n`;
}
