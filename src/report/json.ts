// matrix.json: the machine-readable report, validated against schemas/report.schema.json.
import type { CaseReport, ReportModel } from "./model.ts";

const rate = (passes: number, runs: number) => (runs ? Number((passes / runs).toFixed(4)) : 0);

/** The outcome of a backend, or of a backend on one machine, and the verdict behind it. */
const judged = <O>(x: { outcome: O; matches: boolean; verdict?: { reason: string; message: string; hint?: string } | undefined }) => ({
  outcome: x.outcome,
  matches: x.matches,
  reason: x.verdict?.reason ?? null,
  message: x.verdict?.message ?? null,
  hint: x.verdict?.hint ?? null,
});

function caseJson(c: CaseReport) {
  const shown = c.shown;
  return {
    name: c.name,
    machine: c.label,
    outcome: c.result.outcome,
    reason: shown.verdict.reason,
    rule: shown.verdict.rule,
    message: shown.verdict.message,
    evidence: shown.verdict.evidence ?? null,
    hint: shown.verdict.hint ?? null,
    checks: shown.checks,
    run: shown.run ?? null,
    artifacts: shown.artifacts ?? null,
    stub: shown.stub ?? null,
    runs: c.result.runs,
    passes: c.result.passes,
    passRate: rate(c.result.passes, c.result.runs),
    allPassed: c.result.allPassed,
    minPassRate: c.result.minPassRate ?? null,
    accepted: c.result.accepted,
    repetitions: c.runs.map((r) => ({
      repetition: r.repetition,
      cell: r.cell,
      outcome: r.verdict.outcome,
      reason: r.verdict.reason,
      message: r.verdict.message,
      durationMs: r.run?.durationMs ?? null,
      artifacts: r.artifacts?.dir ?? null,
    })),
  };
}

export function renderJson(model: ReportModel): Record<string, unknown> {
  const { start, end } = model;
  return {
    schema: "mittelo-matrix/1",
    tool: start.tool,
    manifest: start.manifest,
    profile: start.profile,
    label: start.label,
    env: start.env,
    command: start.command,
    plan: { hash: start.plan.hash, repeat: start.plan.repeat, cells: start.plan.cells },
    shard: start.shard
      ? { index: start.shard.index, total: start.shard.total, by: start.shard.by, basis: start.shard.basis, cells: start.shard.cells.length }
      : null,
    machines: start.merged?.machines ?? [{ label: start.label, env: start.env, shards: 1 }],
    merged: start.merged ? { streams: start.merged.streams, notes: start.merged.notes } : null,
    startedAt: start.ts,
    endedAt: end?.ts ?? null,
    durationMs: end?.durationMs ?? null,
    exitCode: end?.exitCode ?? null,
    counts: end?.counts ?? null,
    mismatches: end?.mismatches ?? [],
    bailedOut: end?.bailOut?.message ?? null,
    excluded: start.excluded,
    backends: model.backends.map((b) => ({
      name: b.name,
      source: b.source,
      description: b.description,
      expected: b.expected,
      ...judged(b),
      latencyMs: b.latencyMs ?? null,
      runs: b.runs,
      passes: b.passes,
      passRate: rate(b.passes, b.runs),
      allPassed: b.cases.length > 0 && b.cases.every((c) => c.result.allPassed),
      preflight: b.preflight
        ? {
            status: b.preflight.result.status,
            decision: b.preflight.decision,
            binary: b.preflight.result.binary ?? null,
            findings: b.preflight.result.findings,
            durationMs: b.preflight.result.durationMs,
          }
        : null,
      version: {
        seen: b.preflight?.result.version?.seen ?? null,
        locked: b.preflight?.result.version?.locked ?? null,
        inLock: b.preflight?.result.version?.inLock ?? null,
      },
      machines: b.machines.map((m) => ({
        label: m.label,
        ...judged(m),
        runs: m.runs,
        passes: m.passes,
        cells: m.cells,
        planCells: m.planCells,
        preflight: m.preflight ? { status: m.preflight.result.status, decision: m.preflight.decision } : null,
        version: m.preflight?.result.version?.seen ?? null,
      })),
      cases: b.cases.map(caseJson),
    })),
    pairs: model.pairs.map((p) => ({
      name: p.pair,
      machine: p.label,
      a: p.a,
      b: p.b,
      expected: p.expected,
      outcome: p.verdict.outcome,
      matches: p.matches,
      reason: p.verdict.reason,
      message: p.verdict.message,
      evidence: p.verdict.evidence ?? null,
      hint: p.verdict.hint ?? null,
      durationMs: p.durationMs,
      details: p.details,
      artifacts: p.artifacts ?? null,
    })),
  };
}
