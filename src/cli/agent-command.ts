// `mittelo agent`: the edge around runAgent — plan, preflight, sandbox, signals, exit code.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { type PreparedBackend, prepareBackend } from "../backends/prepare.ts";
import type { CliIO } from "../cli/io.ts";
import { openPlan } from "../manifest/open.ts";
import { preflight } from "../preflight/preflight.ts";
import { EXIT_OK, EXIT_USAGE, MitteloError, messageOf } from "../util/errors.ts";
import type { Plan } from "../manifest/plan-types.ts";
import { watchParent } from "../util/parent-watch.ts";
import { makeRedactor } from "../util/redact.ts";
import { type BackendSetup, stubSetup } from "../backends/stub-setup.ts";
import { runAgent } from "../agent/agent.ts";
import type { HubEndpoint } from "../hub/config.ts";
import { where } from "../hub/failover.ts";
import { signalExitCode, stoppable } from "./stop-signal.ts";
import type { UpstreamObserver } from "../backends/upstream.ts";
import { observeStub } from "../stub/observe.ts";
import { type StubServer, startStub } from "../stub/server.ts";
import type { StubMode } from "../stub/types.ts";
import { startRunGuard } from "./run-guard.ts";

export interface AgentCommandOptions {
  manifest: string;
  backend: string;
  hubs: HubEndpoint[];
  token?: string;
  workerId?: string;
  leaseSeconds: number;
  waitMs: number;
  maxTasks?: number;
  once?: boolean;
  untilEmpty?: boolean;
  preflight: boolean;
  requireReady?: boolean;
  /** Point the backend at this model stub (its manifest `stub` block applies). */
  stubUrl?: string;
  /**
   * Start a model stub in this process, answering in this mode, and point the backend at it: the agent then sees what
   * the stub answered to every task (a CLI that retries 429s until it is killed is SKIP quota, not a timeout).
   */
  stubMode?: StubMode;
  /** The stub's request log (JSONL), with --stub-mode. */
  stubLog?: string;
  /** On SIGINT/SIGTERM, cancel the task in hand at once instead of finishing it (the pair smoke's agents: the batch is over). */
  cancelOnStop?: boolean;
  /** The plan as JSON (written by the pair smoke that started this agent): no manifest to read, parse and check. */
  planFile?: string;
}

export async function agentCommand(options: AgentCommandOptions, io: CliIO): Promise<number> {
  const plan = options.planFile ? readPlanFile(options.planFile) : await openPlan(options.manifest, { include: [options.backend] }, process.env);
  const backend = plan.backends.find((b) => b.name === options.backend);
  if (!backend) throw new MitteloError("unknown-backend", `backend '${options.backend}' is disabled in ${plan.manifestFile}`);
  const workerId = options.workerId ?? `${backend.name}@${hostname()}:${process.pid}`;
  const redact = makeRedactor(process.env, plan.settings.redactEnv);
  if (options.token) redact.add("hub token", options.token);
  const log = (line: string) => io.stderr(redact(`${new Date().toISOString()} [${workerId}] ${line}\n`));
  let prepared: PreparedBackend | undefined;
  if (options.stubUrl && options.stubMode)
    throw new MitteloError("bad-flag", "--stub-url and --stub-mode exclude each other", {
      hint: "--stub-mode starts a stub inside the agent (its answers feed the classifier); --stub-url uses one already running",
    });
  if (options.stubLog && !options.stubMode)
    throw new MitteloError("bad-flag", "--stub-log needs --stub-mode", { hint: "the log is the stub's that --stub-mode starts" });
  const useStub = (options.stubUrl !== undefined || options.stubMode !== undefined) && !(backend.invocation.builtin === "echo" && !backend.stub);
  if (useStub && !backend.stub)
    throw new MitteloError("no-stub", `backend '${backend.name}' has no \`stub\` block in ${plan.manifestFile}`, {
      hint: `add one (see docs/STUB.md) or drop ${options.stubUrl ? "--stub-url" : "--stub-mode"}`,
    });
  // The backends this agent runs carry its mark; should the agent be killed (kill -9 included), its watchdog kills them.
  const guard = startRunGuard();
  let stub: StubServer | undefined;
  try {
    let setup: BackendSetup | undefined;
    let upstream: UpstreamObserver | undefined;
    if (useStub && options.stubUrl) setup = stubSetup(backend, { url: options.stubUrl, port: Number(new URL(options.stubUrl).port) });
    if (useStub && options.stubMode) {
      stub = await startStub({ mode: options.stubMode, log: options.stubLog, redact });
      setup = stubSetup(backend, stub);
      upstream = observeStub(stub);
      log(`model stub for ${backend.name} at ${stub.url} (mode ${options.stubMode})`);
    }
    // The backend's HOME, TMPDIR, auth files and work dir: a private temp folder, removed when the agent stops.
    prepared = prepareBackend(backend, {
      env: process.env,
      sandbox: plan.settings.sandbox,
      secretNames: plan.settings.redactEnv,
      label: `agent-${backend.name}`,
      ...setup,
    });
    for (const value of prepared.sandbox.authSecrets) redact.add(`${backend.name}.auth_files`, value);
    if (options.preflight) {
      const probeEnv = prepared.env;
      const probed = await stoppable(io, "the preflight probes", (signal) =>
        preflight(backend, { env: probeEnv, probeTimeoutMs: plan.settings.probeTimeoutMs, secretNames: plan.settings.redactEnv, signal }),
      );
      if (probed.signal) return signalExitCode(probed.signal);
      const result = probed.value;
      const blocking = result.status === "fail" || (result.status === "warn" && options.requireReady);
      for (const f of result.findings) log(`preflight ${f.severity} ${f.code}: ${f.message}${f.hint ? ` — ${f.hint}` : ""}`);
      if (blocking) {
        const first = result.findings.find((f) => f.severity === result.status);
        throw new MitteloError("preflight", `backend '${backend.name}' is not ready (preflight ${result.status}${first ? `: ${first.message}` : ""})`, {
          hint: first?.hint ?? "run `mittelo backend-check --backend NAME` for details, or pass --no-preflight",
          exitCode: EXIT_USAGE,
        });
      }
    }
    // Orphaned (the pair smoke or swarm that started us was killed): nobody will read the result, and the hub
    // went with it. Cancel the task in hand (its backend's process group is killed) and stop now.
    const orphaned = new AbortController();
    // The second signal: the task in hand is canceled at once, whatever the first did.
    const forced = new AbortController();
    const ready = prepared;
    const unwatch = watchParent(process.env, (pid) => {
      log(`the process that started this agent (pid ${pid}) is gone: canceling the task in hand and exiting`);
      orphaned.abort();
    });
    log(`agent for ${backend.name} leasing from ${options.hubs.map(where).join(", ")}`);
    const cancel = "canceling the task in hand (not acked: the hub re-leases it when its lease expires)";
    try {
      // A signal finishes the task in hand, then exits (the first, with --cancel-on-stop, cancels it: the backend's
      // process group gets SIGTERM, then SIGKILL after kill_grace); a second one cancels it and kills its backend now.
      // Stopping is an agent's normal end: it exits 0 either way (its supervisor, swarm or pair smoke, stopped it).
      const { value: stats } = await stoppable(
        io,
        "the agent",
        (stop) =>
          runAgent({
            hubs: options.hubs,
            token: options.token,
            workerId,
            prepared: ready,
            settings: plan.settings,
            leaseSeconds: options.leaseSeconds,
            waitMs: options.waitMs,
            maxTasks: options.once ? 1 : options.maxTasks,
            untilEmpty: options.untilEmpty || options.once,
            signal: AbortSignal.any([stop, orphaned.signal]),
            hardStop: AbortSignal.any([forced.signal, orphaned.signal, ...(options.cancelOnStop ? [stop] : [])]),
            log,
            redact,
            ackDelayMs: chaosAckDelay(),
            upstream,
          }),
        {
          stopping: options.cancelOnStop ? `${cancel}, then exiting` : "finishing the task in hand, then exiting (send it again to cancel the task)",
          forcing: `${cancel}, killing its backend now (SIGKILL), then exiting`,
          force: () => {
            forced.abort();
            guard.killNow();
          },
          say: log,
        },
      );
      log(`stopped: ${stats.done} done, ${stats.failed} failed, ${stats.fenced} acks rejected, ${stats.reconnects} reconnect attempts`);
    } finally {
      unwatch();
    }
    return EXIT_OK;
  } finally {
    prepared?.dispose();
    await stub?.close();
    await guard.close();
  }
}

/** A plan written with writePlanFile (smoke/pair-run.ts) by the process that started this agent. */
function readPlanFile(file: string): Plan {
  let plan: Partial<Plan>;
  try {
    plan = JSON.parse(readFileSync(file, "utf8")) as Partial<Plan>;
  } catch (error) {
    throw new MitteloError("plan-file", `cannot read the plan file ${file}: ${messageOf(error)}`, { hint: "drop --plan-file to read the manifest" });
  }
  if (!Array.isArray(plan.backends) || typeof plan.manifestFile !== "string" || !plan.settings) {
    throw new MitteloError("plan-file", `${file} is not a plan written by mittelo`, { hint: "drop --plan-file to read the manifest" });
  }
  return plan as Plan;
}

/** MITTELO_CHAOS_ACK_DELAY_MS=task:ms delays the ack of one task (used by the chaos pair smoke). */
function chaosAckDelay(): ((taskId: number) => number) | undefined {
  const spec = process.env.MITTELO_CHAOS_ACK_DELAY_MS;
  if (!spec) return undefined;
  const [task, ms] = spec.split(":").map(Number);
  return (taskId) => (taskId === task ? (ms ?? 0) : 0);
}
