// `mittelo agent`: the edge around runAgent — plan, preflight, sandbox, signals, exit code.
import { hostname } from "node:os";
import { type PreparedBackend, prepareBackend } from "../backends/prepare.ts";
import type { CliIO } from "../cli/io.ts";
import { openPlan } from "../manifest/open.ts";
import { preflight } from "../preflight/preflight.ts";
import { EXIT_OK, EXIT_USAGE, MitteloError } from "../util/errors.ts";
import { watchParent } from "../util/parent-watch.ts";
import { makeRedactor } from "../util/redact.ts";
import { type BackendSetup, stubSetup } from "../backends/stub-setup.ts";
import { runAgent } from "../agent/agent.ts";
import type { HubEndpoint } from "../hub/config.ts";
import { where } from "../hub/failover.ts";

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
}

export async function agentCommand(options: AgentCommandOptions, io: CliIO): Promise<number> {
  const plan = await openPlan(options.manifest, { include: [options.backend] }, process.env);
  const backend = plan.backends.find((b) => b.name === options.backend);
  if (!backend) throw new MitteloError("unknown-backend", `backend '${options.backend}' is disabled in ${plan.manifestFile}`);
  const workerId = options.workerId ?? `${backend.name}@${hostname()}:${process.pid}`;
  const redact = makeRedactor(process.env, plan.settings.redactEnv);
  if (options.token) redact.add("hub token", options.token);
  const log = (line: string) => io.stderr(redact(`${new Date().toISOString()} [${workerId}] ${line}\n`));
  let prepared: PreparedBackend | undefined;
  try {
    let setup: BackendSetup | undefined;
    if (options.stubUrl && !(backend.invocation.builtin === "echo" && !backend.stub)) {
      if (!backend.stub)
        throw new MitteloError("no-stub", `backend '${backend.name}' has no \`stub\` block in ${plan.manifestFile}`, {
          hint: "add one (see docs/STUB.md) or drop --stub-url",
        });
      setup = stubSetup(backend, { url: options.stubUrl, port: Number(new URL(options.stubUrl).port) });
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
      const result = await preflight(backend, { env: prepared.env, probeTimeoutMs: plan.settings.probeTimeoutMs, secretNames: plan.settings.redactEnv });
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
    const controller = new AbortController();
    const stop = (signal: string) => {
      log(`${signal}: finishing the task in hand, then exiting`);
      controller.abort();
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    // Orphaned (the pair smoke or swarm that started us was killed): nobody will read the result, and the hub
    // went with it. Cancel the task in hand (its backend's process group is killed) and stop now.
    const hardStop = new AbortController();
    const unwatch = watchParent(process.env, (pid) => {
      log(`the process that started this agent (pid ${pid}) is gone: canceling the task in hand and exiting`);
      controller.abort();
      hardStop.abort();
    });
    log(`agent for ${backend.name} leasing from ${options.hubs.map(where).join(", ")}`);
    try {
      const stats = await runAgent({
        hubs: options.hubs,
        token: options.token,
        workerId,
        prepared,
        settings: plan.settings,
        leaseSeconds: options.leaseSeconds,
        waitMs: options.waitMs,
        maxTasks: options.once ? 1 : options.maxTasks,
        untilEmpty: options.untilEmpty || options.once,
        signal: controller.signal,
        hardStop: hardStop.signal,
        log,
        redact,
        ackDelayMs: chaosAckDelay(),
      });
      log(`stopped: ${stats.done} done, ${stats.failed} failed, ${stats.fenced} acks rejected, ${stats.reconnects} reconnect attempts`);
    } finally {
      unwatch();
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    }
    return EXIT_OK;
  } finally {
    prepared?.dispose();
  }
}

/** MITTELO_CHAOS_ACK_DELAY_MS=task:ms delays the ack of one task (used by the chaos pair smoke). */
function chaosAckDelay(): ((taskId: number) => number) | undefined {
  const spec = process.env.MITTELO_CHAOS_ACK_DELAY_MS;
  if (!spec) return undefined;
  const [task, ms] = spec.split(":").map(Number);
  return (taskId) => (taskId === task ? (ms ?? 0) : 0);
}
