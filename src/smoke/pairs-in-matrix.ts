// The harness side of the pair smoke: after the backend matrix, run each planned pair whose two backends passed
// (others become SKIP with the reason), artifacts under <matrix out dir>/pairs/<name>/, one pair-end event each.
import { join } from "node:path";
import type { Outcome, Verdict } from "../backends/verdict.ts";
import { outcomeMatches } from "../backends/outcome.ts";
import type { PairEndEvent } from "../report/events.ts";
import type { Plan, PlannedPair } from "../manifest/plan-types.ts";
import { messageOf } from "../util/errors.ts";
import { runPairSmoke } from "./run-pair-smoke.ts";

/** The `extend` hook of matrixCommand for a run writing to `outDir`. */
export function pairsExtension(outDir: string, env: NodeJS.ProcessEnv) {
  return async (plan: Plan) => ({
    runPairs: (outcomes: Map<string, Outcome>, signal?: AbortSignal) => runPlannedPairs(plan, outcomes, { outDir, env, signal }),
  });
}

export async function runPlannedPairs(
  plan: Plan,
  outcomes: Map<string, Outcome>,
  run: { outDir: string; env: NodeJS.ProcessEnv; signal?: AbortSignal | undefined },
): Promise<PairEndEvent[]> {
  const events: PairEndEvent[] = [];
  for (const pair of plan.pairs) events.push(await runOne(plan, pair, outcomes, join(run.outDir, "pairs", pair.name), run));
  return events;
}

async function runOne(
  plan: Plan,
  pair: PlannedPair,
  outcomes: Map<string, Outcome>,
  dir: string,
  run: { env: NodeJS.ProcessEnv; signal?: AbortSignal | undefined },
): Promise<PairEndEvent> {
  const started = Date.now();
  const event = (verdict: Verdict, details: Record<string, unknown>, artifacts?: string): PairEndEvent => ({
    type: "pair-end",
    ts: new Date().toISOString(),
    pair: pair.name,
    a: pair.a,
    b: pair.b,
    verdict,
    expected: pair.expected,
    matches: outcomeMatches(pair.expected, verdict.outcome),
    durationMs: Date.now() - started,
    details,
    ...(artifacts ? { artifacts } : {}),
  });
  const blocked = [pair.a, pair.b].find((name) => outcomes.get(name) !== "PASS");
  if (blocked !== undefined) {
    const seen = outcomes.get(blocked) ?? "not run";
    return event(
      {
        outcome: "SKIP",
        reason: "backend-not-passed",
        rule: "pair.backends-passed",
        message: `backend ${blocked} did not pass: ${seen}`,
        evidence: `matrix outcome of ${blocked}: ${seen}`,
        hint: `make ${blocked} pass in the matrix first (mittelo system-test --backend ${blocked})`,
      },
      {},
    );
  }
  try {
    const result = await runPairSmoke({
      manifest: plan.manifestFile,
      backendA: pair.a,
      backendB: pair.b,
      name: pair.name,
      tasks: pair.tasks,
      timeoutMs: pair.timeoutMs,
      chaos: pair.chaos,
      stub: plan.settings.stub,
      outDir: dir,
      env: run.env,
      signal: run.signal,
    });
    return event(result.verdict, { ...result.details, workMs: result.workMs }, result.artifacts.dir);
  } catch (error) {
    return event({ outcome: "ERROR", reason: "config", rule: "pair.setup", message: messageOf(error) }, {});
  }
}
