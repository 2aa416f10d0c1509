// summary.md: the table a person reads first, then every FAIL in detail with a ready-to-file ticket.
import { formatMs } from "../util/units.ts";
import { type BackendReport, type ReportModel, shellQuote } from "./model.ts";

const cell = (text: string | undefined) => (text ?? "").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const ICON: Record<string, string> = { PASS: "✅ PASS", FAIL: "❌ FAIL", SKIP: "⏭️ SKIP", ERROR: "💥 ERROR" };

export function renderSummary(model: ReportModel): string {
  const { start, end } = model;
  const out: string[] = [];
  out.push(`# Mittelö matrix — ${start.ts}`);
  out.push("");
  out.push(
    `Profile **${start.profile ?? "(none)"}** · manifest \`${start.manifest.path}\` · mittelo ${start.tool.version} · node ${start.env.node} · ${start.env.os}/${start.env.arch}${end ? ` · ${formatMs(end.durationMs)}` : ""}`,
  );
  if (end) {
    const c = end.counts;
    out.push("");
    out.push(`**${end.exitCode === 0 ? "As expected" : "Unexpected outcomes"}** — PASS ${c.PASS} · FAIL ${c.FAIL} · SKIP ${c.SKIP} · ERROR ${c.ERROR}`);
    for (const m of end.mismatches) out.push(`- ${m}`);
  }
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
    out.push(
      `| ${cell(b.name)} | ${ICON[b.outcome]}${b.matches ? "" : " ⚠️"} | ${b.expected} | ${cell(reason)} | ${cell(b.outcome === "PASS" ? "" : b.verdict?.hint)} | ${cell(version)} | ${b.latencyMs === undefined ? "" : formatMs(b.latencyMs)} |`,
    );
  }
  if (model.pairs.length) {
    out.push("");
    out.push("## Pair smoke");
    out.push("");
    out.push("| pair | outcome | expected | reason | details |");
    out.push("| --- | --- | --- | --- | --- |");
    for (const p of model.pairs) {
      const split = p.details.split ? JSON.stringify(p.details.split) : "";
      out.push(
        `| ${cell(`${p.pair} (${p.a} + ${p.b})`)} | ${ICON[p.verdict.outcome]}${p.matches ? "" : " ⚠️"} | ${p.expected} | ${cell(`${p.verdict.reason}: ${p.verdict.message}`)} | ${cell(split)} |`,
      );
    }
  }
  if (start.excluded.length) {
    out.push("");
    out.push(`Not planned: ${start.excluded.map((e) => `${e.name} (${e.why})`).join(", ")}.`);
  }
  const failing = model.backends.filter((b) => b.outcome === "FAIL" || b.outcome === "ERROR" || !b.matches);
  if (failing.length) {
    out.push("");
    out.push("## Failures");
    for (const b of failing) out.push("", renderTicket(model, b));
  }
  return `${out.join("\n")}\n`;
}

/** A ready-to-file ticket for a backend that failed or did not meet its expectation. */
export function renderTicket(model: ReportModel, b: BackendReport): string {
  const c = b.cases.find((x) => x.verdict.outcome !== "PASS") ?? b.cases[0];
  const v = c?.verdict;
  const pre = b.preflight?.result;
  const lines = [
    `### ${b.name}: expected ${b.expected.toUpperCase()}, got ${b.outcome}${v ? ` (${v.reason})` : ""}`,
    "",
    `**What happened:** ${v?.message ?? "no case ran"}${c ? ` (case \`${c.case}\`, rule \`${v?.rule}\`)` : ""}`,
  ];
  if (v?.evidence) lines.push("", "**Evidence:**", "", "```", v.evidence, "```");
  if (c?.run) {
    lines.push("", "**Reproduce:**", "", "```sh");
    lines.push(`cd ${shellQuote([c.artifacts?.dir ?? "."])}`);
    lines.push(`HOME=${shellQuote([`${model.start.outDir}/${b.name}/home`])} ${shellQuote(c.run.argv)} < prompt.txt   # prompt of case ${c.case}`);
    lines.push("```");
    lines.push(
      "",
      `**Expected:** ${b.expected.toUpperCase()} · **Actual:** ${b.outcome}, exit ${c.run.exitCode ?? c.run.signal}, ${formatMs(c.run.durationMs)}`,
    );
    const failed = c.checks.filter((k) => !k.ok).map((k) => `${k.name}: ${k.detail}`);
    if (failed.length) lines.push("", ...failed.map((f) => `- ${f}`));
    if (c.run.stderrTail) lines.push("", `**stderr (last lines):** ${c.run.stderrTail}`);
    if (c.artifacts) lines.push("", `**Artifacts:** \`${c.artifacts.stdout}\`, \`${c.artifacts.stderr}\`, \`${c.artifacts.result}\``);
  }
  const env = model.start.env;
  lines.push(
    "",
    "**Environment:**",
    `- node ${env.node}, ${env.os}/${env.arch}${env.ci ? ", CI" : ""}; loopback 127.0.0.1 ${(env as { loopback?: boolean }).loopback === false ? "NOT bindable" : "bindable"}`,
    `- preflight: ${pre ? `${pre.status}${pre.binary ? `, binary ${pre.binary}` : ""}${pre.version?.seen ? `, version ${pre.version.seen}` : ""}${pre.version?.locked ? ` (lock ${pre.version.locked})` : ""}` : "not run"}`,
  );
  for (const f of pre?.findings ?? []) lines.push(`- ${f.severity} ${f.code}: ${f.message}${f.hint ? ` — ${f.hint}` : ""}`);
  if (v?.hint) lines.push("", `**Next step:** ${v.hint}`);
  return lines.join("\n");
}

/** The ticket blocks of every failure, for `--tickets FILE`. */
export function renderTickets(model: ReportModel): string {
  const failing = model.backends.filter((b) => b.outcome === "FAIL" || b.outcome === "ERROR" || !b.matches);
  if (!failing.length) return "";
  return `\n## Matrix run ${model.start.ts} (profile ${model.start.profile ?? "none"})\n\n${failing.map((b) => renderTicket(model, b)).join("\n\n")}\n`;
}
