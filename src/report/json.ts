// matrix.json: the machine-readable report, validated against schemas/report.schema.json.
import type { ReportModel } from "./model.ts";

export function renderJson(model: ReportModel): Record<string, unknown> {
  const { start, end } = model;
  return {
    schema: "mittelo-matrix/1",
    tool: start.tool,
    manifest: start.manifest,
    profile: start.profile,
    env: start.env,
    command: start.command,
    startedAt: start.ts,
    endedAt: end?.ts ?? null,
    durationMs: end?.durationMs ?? null,
    exitCode: end?.exitCode ?? null,
    counts: end?.counts ?? null,
    mismatches: end?.mismatches ?? [],
    excluded: start.excluded,
    backends: model.backends.map((b) => ({
      name: b.name,
      source: b.source,
      description: b.description,
      expected: b.expected,
      outcome: b.outcome,
      matches: b.matches,
      reason: b.verdict?.reason ?? null,
      message: b.verdict?.message ?? null,
      hint: b.verdict?.hint ?? null,
      latencyMs: b.latencyMs ?? null,
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
      cases: b.cases.map((c) => ({
        name: c.case,
        outcome: c.verdict.outcome,
        reason: c.verdict.reason,
        rule: c.verdict.rule,
        message: c.verdict.message,
        evidence: c.verdict.evidence ?? null,
        hint: c.verdict.hint ?? null,
        checks: c.checks,
        run: c.run ?? null,
        artifacts: c.artifacts ?? null,
        stub: c.stub ?? null,
      })),
    })),
    pairs: model.pairs.map((p) => ({
      name: p.pair,
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
