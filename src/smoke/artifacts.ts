// Writes the smoke's artifacts, every one through the redactor: result.json (schema-checked), summary.md, tasks.json, logs.
import { join } from "node:path";
import { validatorFor } from "../util/ajv.ts";
import "../util/precompiled/pair-result.ts";
import { makeDir, writeFileAtomic } from "../util/files.ts";
import { type Redactor, redactDeep } from "../util/redact.ts";
import type { PairResult } from "./types.ts";

export const ARTIFACT_FILES = ["result.json", "summary.md", "tasks.json", "hub.log", "agent-a.log", "agent-b.log"];

export interface ArtifactInput {
  result: PairResult;
  tasks: unknown[];
  logs: { hub: string; a: string; b: string };
}

/** Writes everything; returns schema problems of result.json (empty when valid: anything else is a bug). */
export function writeArtifacts(dir: string, input: ArtifactInput, redact: Redactor): string[] {
  makeDir(dir, "artifact folder");
  const result = redactDeep(input.result, redact);
  const validate = validatorFor("pair-result.schema.json");
  const problems = validate(result) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
  writeFileAtomic(join(dir, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileAtomic(join(dir, "summary.md"), renderSummary(result));
  writeFileAtomic(join(dir, "tasks.json"), `${JSON.stringify(redactDeep(input.tasks, redact), null, 2)}\n`);
  writeFileAtomic(join(dir, "hub.log"), redact(input.logs.hub));
  writeFileAtomic(join(dir, "agent-a.log"), redact(input.logs.a));
  writeFileAtomic(join(dir, "agent-b.log"), redact(input.logs.b));
  return problems;
}

export function renderSummary(r: PairResult): string {
  const d = r.details;
  const lines = [
    `# Pair smoke ${r.pair}: ${r.verdict.outcome}`,
    "",
    `- agents: A = ${r.a.backend} (${r.a.workerId}), B = ${r.b.backend} (${r.b.workerId})${r.chaos ? " · chaos" : ""}`,
    `- verdict: **${r.verdict.outcome}** \`${r.verdict.reason}\` — ${r.verdict.message}`,
  ];
  if (r.verdict.evidence) lines.push(`- evidence: ${r.verdict.evidence}`);
  if (r.verdict.hint) lines.push(`- next step: ${r.verdict.hint}`);
  lines.push(
    `- tasks: ${d.tasks} · done ${d.done} · failed ${d.failed} · duplicates ${d.duplicates} · pending ${d.pending.length}`,
    `- split: A ${d.split.a} · B ${d.split.b}`,
    `- re-leases: ${d.releases} · fenced acks: ${d.fencedAcks}`,
    `- time: ${r.durationMs} ms in all, ${r.workMs ?? "-"} ms of work (first enqueue → last task finished); timeout ${r.timeoutMs} ms`,
    `- hub: ${r.hub.url ?? "not started"}`,
  );
  if (d.chaos)
    lines.push(
      `- chaos: agent A killed holding task ${d.chaos.killedTask ?? "-"}, restarted ${d.chaos.restarts}×; agent B's ack of task ${d.chaos.delayedTask ?? "-"} delayed past its lease`,
    );
  for (const m of d.mismatches) lines.push(`- mismatch: task ${m.task_id} (${m.worker}): expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.got)}`);
  for (const f of d.failedTasks) lines.push(`- failed: task ${f.task_id} (${f.worker}): ${f.error}`);
  lines.push("", `Files: ${ARTIFACT_FILES.join(", ")}`, "");
  return lines.join("\n");
}
