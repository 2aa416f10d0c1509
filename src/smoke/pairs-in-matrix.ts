// The harness side of the pair smoke: each planned pair runs once its two backends are done (the matrix calls it
// then, while other backends may still run) if both passed (else SKIP with the reason, see backends/outcome.ts
// pairGate), artifacts under <matrix out dir>/pairs/<name>/, one pair-end event each. A shard runs only the pairs
// the partition gave it (the matrix decides which).
import { join } from "node:path";
import type { Verdict } from "../backends/verdict.ts";
import { pairGate, type Result } from "../backends/outcome.ts";
import { type PairEndEvent, pairEndEvent } from "../report/events.ts";
import type { Plan, PlannedPair } from "../manifest/plan-types.ts";
import type { StubMode } from "../stub/types.ts";
import { messageOf } from "../util/errors.ts";
import { runPairSmoke } from "./run-pair-smoke.ts";

/** The `extend` hook of matrixCommand for a run writing to `outDir`. */
export function pairsExtension(outDir: string, env: NodeJS.ProcessEnv, stubMode?: StubMode) {
  return async (plan: Plan) => ({
    runPair: (pair: PlannedPair, outcomes: ReadonlyMap<string, Result>, signal?: AbortSignal) =>
      runOne(plan, pair, outcomes, join(outDir, "pairs", pair.name), { env, signal, stubMode }),
  });
}

interface PairsRun {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal | undefined;
  /** Under the stub: the mode the matrix's stubs answered in; the pairs' stubs answer the same way. */
  stubMode?: StubMode | undefined;
}

async function runOne(plan: Plan, pair: PlannedPair, outcomes: ReadonlyMap<string, Result>, dir: string, run: PairsRun): Promise<PairEndEvent> {
  const started = Date.now();
  const event = (verdict: Verdict, details: Record<string, unknown>, artifacts?: string): PairEndEvent =>
    pairEndEvent(pair, verdict, { durationMs: Date.now() - started, details, artifacts });
  const gate = pairGate(pair, outcomes);
  if (gate) return event(gate, {});
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
      stubMode: plan.settings.stub ? run.stubMode : undefined,
      outDir: dir,
      env: run.env,
      signal: run.signal,
    });
    return event(result.verdict, { ...result.details, workMs: result.workMs }, result.artifacts.dir);
  } catch (error) {
    return event({ outcome: "ERROR", reason: "config", rule: "pair.setup", message: messageOf(error) }, {});
  }
}
