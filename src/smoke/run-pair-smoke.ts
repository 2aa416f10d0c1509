// The pair smoke: gate (loopback, preflight) → hub + two agents as real processes → batch → verify → shutdown
// (always, in finally) → artifacts. Never hangs: every wait has a deadline, and stop() ends every process group.
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { echoAnswer } from "../backends/echo.ts";
import type { Verdict } from "../backends/verdict.ts";
import { openPlan } from "../manifest/open.ts";
import type { PlannedBackend } from "../manifest/plan-types.ts";
import { modelCallsInLog } from "../stub/observe.ts";
import { EXIT_USAGE, MitteloError, messageOf } from "../util/errors.ts";
import { makeDir } from "../util/files.ts";
import { makeRedactor } from "../util/redact.ts";
import { ARTIFACT_FILES, writeArtifacts } from "./artifacts.ts";
import { type BatchOutcome, chaosBatch, plainBatch } from "./batch.ts";
import { gatePair } from "./gate.ts";
import { AbortedError, PairRun, StartupError, WORKERS } from "./pair-run.ts";
import { type PairDetails, type PairResult, type PairSmokeOptions, emptyDetails } from "./types.ts";
import { type HubTask, verifyBatch } from "./verify.ts";

/** Agent lease in chaos mode (short, so a killed agent's task comes back quickly) and B's delayed ack. */
export const CHAOS_LEASE_SECONDS = 1;
export const CHAOS_ACK_DELAY_MS = 2500;

export async function runPairSmoke(o: PairSmokeOptions): Promise<PairResult> {
  const startedAt = new Date();
  const { env } = o;
  const log = o.log ?? (() => {});
  if (!Number.isInteger(o.tasks) || o.tasks < 1) throw new MitteloError("bad-flag", `--tasks must be a whole number >= 1, got '${o.tasks}'`);
  if (o.chaos && o.tasks < 2) throw new MitteloError("bad-flag", `--chaos needs at least 2 tasks, got ${o.tasks}`);
  const plan = await openPlan(o.manifest, { include: [...new Set([o.backendA, o.backendB])] }, env);
  const find = (name: string): PlannedBackend => {
    const b = plan.backends.find((x) => x.name === name);
    if (!b)
      throw new MitteloError("unknown-backend", `backend '${name}' is not in ${plan.manifestFile} or is disabled`, {
        exitCode: EXIT_USAGE,
        hint: "list them with `mittelo matrix --list`",
      });
    return b;
  };
  const backends = { a: find(o.backendA), b: find(o.backendB) };
  const redact = makeRedactor(env, plan.settings.redactEnv);
  // The smoke's own hub takes a fresh token (only its agents, not other local users, can talk to it).
  const token = randomBytes(16).toString("hex");
  redact.add("MITTELO_TOKEN", token);
  const outDir = resolve(o.outDir);

  const stubbed = Boolean(o.stub || o.stubMode);
  if (stubbed) {
    for (const b of [backends.a, backends.b]) {
      if (!b.stub && b.invocation.builtin !== "echo") {
        throw new MitteloError("no-stub", `backend '${b.name}' has no \`stub\` block in ${plan.manifestFile}`, {
          exitCode: EXIT_USAGE,
          hint: "add one (docs/STUB.md) or run without --stub",
        });
      }
    }
  }
  // Each agent starts a stub of its own (`agent --stub-mode`): it sees what its stub answered, and we read the logs after.
  const stubLogs = { a: join(outDir, "stub-a.jsonl"), b: join(outDir, "stub-b.jsonl") };
  if (stubbed) {
    makeDir(outDir, "--out-dir");
    for (const file of Object.values(stubLogs)) rmSync(file, { force: true });
  }
  // With the stub the backends need no login: only a preflight `fail` (missing binary, platform) stops the smoke.
  const gateSettings = stubbed ? { ...plan.settings, runOnWarn: true } : plan.settings;
  let verdict: Verdict | undefined = await gatePair([backends.a, backends.b], gateSettings, env, o.signal);
  if (o.signal?.aborted) verdict = errorVerdict(new AbortedError("interrupted during preflight; its probes were stopped"));
  let details: PairDetails = emptyDetails(o.tasks);
  let tasks: HubTask[] = [];
  let batch: BatchOutcome | undefined;
  const run = new PairRun({
    manifest: plan.manifestFile,
    plan,
    env,
    agents: { a: { backend: backends.a.name, workerId: WORKERS.a }, b: { backend: backends.b.name, workerId: WORKERS.b } },
    leaseSeconds: o.chaos ? CHAOS_LEASE_SECONDS : 30,
    killGraceMs: o.killGraceMs ?? 1500,
    startupMs: o.startupMs ?? 30_000,
    signal: o.signal,
    token,
    stub: stubbed ? { mode: o.stubMode ?? "ok", logs: stubLogs } : undefined,
  });
  if (!verdict) {
    try {
      log(`pair-smoke: starting a hub and agents A (${backends.a.name}) and B (${backends.b.name})`);
      await run.startHub();
      const batchOptions = { tasks: o.tasks, timeoutMs: o.timeoutMs, nonce: randomBytes(4).toString("hex"), ackDelayMs: CHAOS_ACK_DELAY_MS };
      batch = o.chaos ? await chaosBatch(run, batchOptions) : await plainBatch(run, batchOptions);
      tasks = (await run.call("list", { limit: 0 })).tasks.sort((x, y) => x.task_id - y.task_id);
    } catch (error) {
      verdict = errorVerdict(error);
    } finally {
      await run.close();
    }
    if (!verdict && batch) {
      const expectedFor = (worker: string, prompt: string) => expectedAnswer(worker === WORKERS.a ? backends.a : backends.b, prompt, stubbed);
      // Read after the agents stopped: every answer their stubs gave is logged by then.
      const upstream = stubbed ? [...modelCallsInLog(stubLogs.a), ...modelCallsInLog(stubLogs.b)] : undefined;
      const checked = verifyBatch({
        enqueued: batch.enqueued,
        tasks,
        workers: WORKERS,
        expectedFor,
        logs: { a: run.logs.a.text, b: run.logs.b.text },
        timedOut: batch.timedOut,
        timeoutMs: o.timeoutMs,
        upstream,
      });
      details = { ...checked.details, ...(batch.chaos ? { chaos: batch.chaos } : {}) };
      verdict = checked.verdict;
    }
    // Fenced acks can be logged after the batch was verified (B's late ack): count them from the final logs.
    details.fencedAcks = Math.max(details.fencedAcks, [...`${run.logs.a.text}\n${run.logs.b.text}`.matchAll(/ack rejected/g)].length);
  }
  verdict ??= errorVerdict(new Error("the batch did not run"));
  const endedAt = new Date();
  const result: PairResult = {
    version: 1,
    pair: o.name ?? `${o.backendA}-${o.backendB}`,
    a: { backend: backends.a.name, workerId: WORKERS.a },
    b: { backend: backends.b.name, workerId: WORKERS.b },
    tasks: o.tasks,
    timeoutMs: o.timeoutMs,
    chaos: Boolean(o.chaos),
    verdict,
    details,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    workMs: batch?.workMs ?? null,
    hub: { url: run.hubUrl },
    processes: run.started,
    artifacts: {
      dir: outDir,
      files: [
        ...ARTIFACT_FILES,
        ...Object.values(stubLogs)
          .filter((f) => stubbed && existsSync(f))
          .map((f) => basename(f)),
      ],
    },
  };
  const problems = writeArtifacts(outDir, { result, tasks, logs: { hub: run.logs.hub.text, a: run.logs.a.text, b: run.logs.b.text } }, redact);
  for (const p of problems) log(`pair-smoke: result.json does not match schemas/pair-result.schema.json (a bug): ${p}`);
  return result;
}

/** What a backend answers to a prompt, when that is known: echo's rule; otherwise undefined (any non-empty answer). */
/** What a backend must answer: echo's rule for echo, and the stub's (the same rule) for a backend run against the stub. */
export function expectedAnswer(backend: PlannedBackend, prompt: string, stub = false): string | undefined {
  return backend.invocation.builtin === "echo" || (stub && backend.stub) ? echoAnswer(prompt) : undefined;
}

function errorVerdict(error: unknown): Verdict {
  if (error instanceof AbortedError) {
    return {
      outcome: "ERROR",
      reason: "interrupted",
      rule: "pair.signal",
      message: "the pair smoke was interrupted; everything it started was stopped",
      evidence: error.message,
    };
  }
  if (error instanceof StartupError) {
    return {
      outcome: "ERROR",
      reason: "startup",
      rule: "pair.startup",
      message: error.message,
      evidence: error.evidence || undefined,
      hint: "read hub.log and the agent logs in the artifact folder",
    };
  }
  return {
    outcome: "ERROR",
    reason: "infrastructure",
    rule: "pair.infrastructure",
    message: `the pair smoke broke: ${messageOf(error)}`,
    hint: "read hub.log and the agent logs in the artifact folder",
  };
}
