// Before anything starts: can we bind 127.0.0.1, and are both backends ready? Either answer no → a SKIP verdict.
import { prepareBackend } from "../backends/prepare.ts";
import type { Verdict } from "../backends/verdict.ts";
import type { PlannedBackend, PlanSettings } from "../manifest/plan-types.ts";
import { preflightSkip } from "../preflight/skip.ts";
import { preflight } from "../preflight/preflight.ts";
import { canBindLoopback } from "../util/loopback.ts";

export async function gatePair(backends: PlannedBackend[], settings: PlanSettings, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<Verdict | undefined> {
  if (!(await canBindLoopback())) {
    return {
      outcome: "SKIP",
      reason: "no-loopback",
      rule: "pair.loopback",
      message: "cannot listen on 127.0.0.1: the pair smoke needs a local hub",
      evidence: "listen(0, 127.0.0.1) failed",
      hint: "run where the loopback interface is available (not in a network-less sandbox)",
    };
  }
  const unique = [...new Map(backends.map((b) => [b.name, b])).values()];
  const results = await Promise.all(unique.map((b) => check(b, settings, env, signal)));
  return results.find((v) => v !== undefined);
}

async function check(backend: PlannedBackend, settings: PlanSettings, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<Verdict | undefined> {
  const prepared = prepareBackend(backend, { env, sandbox: settings.sandbox, secretNames: settings.redactEnv, label: `pair-preflight-${backend.name}` });
  try {
    const result = await preflight(backend, { env: prepared.env, probeTimeoutMs: settings.probeTimeoutMs, secretNames: settings.redactEnv, signal });
    const skip = preflightSkip(result, settings.runOnWarn);
    return (
      skip && {
        ...skip,
        message: `backend ${backend.name} is not ready: ${skip.message}`,
        hint: skip.hint ?? `run \`mittelo backend-check --backend ${backend.name}\` for details`,
      }
    );
  } finally {
    prepared.dispose();
  }
}
