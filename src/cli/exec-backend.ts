// `mittelo exec --backend NAME`: runs one backend as matrix.yaml declares it (the wrapper contract, standalone):
// prompt on stdin, only the answer on stdout, the CLI's diagnostics on stderr, exit 0 on success.
import { text } from "node:stream/consumers";
import type { CliIO } from "../cli/io.ts";
import { openPlan } from "../manifest/open.ts";
import type { Plan, PlannedBackend } from "../manifest/plan-types.ts";
import { EXIT_FAIL, MitteloError } from "../util/errors.ts";
import { prepareBackend } from "../backends/prepare.ts";
import { runPrompt } from "../backends/run.ts";
import { type RunGuard, startRunGuard } from "./run-guard.ts";
import { type Stopped, signalExitCode, stoppable } from "./stop-signal.ts";

export async function execBackend(
  options: { manifest: string; backend: string; timeoutMs?: number },
  io: CliIO,
  stdin: NodeJS.ReadableStream,
): Promise<number> {
  const plan = await openPlan(options.manifest, { include: [options.backend], timeoutMs: options.timeoutMs }, process.env);
  const backend = plan.backends.find((b) => b.name === options.backend);
  if (!backend) throw new MitteloError("unknown-backend", `backend '${options.backend}' is disabled in ${plan.manifestFile}`);
  if (backend.invocation.kind === "wrapper" && backend.invocation.path.endsWith(`/backends/${backend.name}/run`) && process.env.MITTELO_EXEC_DEPTH) {
    throw new MitteloError(
      "exec-loop",
      `backend '${backend.name}' declares no invoke.argv: its wrapper calls \`mittelo exec\`, which would call the wrapper again`,
      {
        hint: `declare invoke.argv for '${backend.name}' in the manifest`,
      },
    );
  }
  const prompt = await text(stdin);
  // The CLI carries this command's mark: killed with it, kill -9 included, by the watchdog.
  const guard = startRunGuard();
  try {
    return await execPrepared(backend, plan, prompt, io, guard);
  } finally {
    await guard.close();
  }
}

async function execPrepared(backend: PlannedBackend, plan: Plan, prompt: string, io: CliIO, guard: RunGuard): Promise<number> {
  // Inside a matrix run (a wrapper calling `mittelo exec`) the caller's sandbox is used as it is; run by hand, the
  // backend gets a private sandbox of its own, as in the matrix, removed when it ends.
  const prepared = prepareBackend(backend, {
    env: { ...process.env, MITTELO_EXEC_DEPTH: "1" },
    sandbox: plan.settings.sandbox,
    secretNames: plan.settings.redactEnv,
    workdir: "nested",
    cwd: process.cwd(),
  });
  // The CLI runs in a process group of its own: a signal to this process (a harness timing out the wrapper that
  // called us, Ctrl-C, the terminal closing) must kill it too, or it would outlive us. Exit then as a process killed by
  // the first signal would. A second signal kills the CLI and what it started at once (SIGKILL), not after kill_grace.
  let stopped: Stopped<Awaited<ReturnType<typeof runPrompt>>>;
  try {
    stopped = await stoppable(
      io,
      backend.name,
      (signal) =>
        runPrompt(
          prepared,
          { prompt, timeoutMs: backend.timeoutMs },
          { settings: plan.settings, signal, onOutput: (stream, chunk) => stream === "stderr" && io.stderr(chunk) },
        ),
      { hangUp: true, forcing: `killing ${backend.name} and what it started now (SIGKILL)`, force: () => guard.killNow() },
    );
  } finally {
    prepared.dispose();
  }
  if (stopped.signal) {
    io.stderr(`mittelo exec ${backend.name}: ${stopped.signal}: stopped ${backend.name} (its process group was killed)\n`);
    return signalExitCode(stopped.signal);
  }
  const result = stopped.value;
  const { record, verdict, extraction } = result;
  if (verdict.outcome === "PASS") {
    io.stdout(`${extraction.answer}\n`);
    return 0;
  }
  io.stderr(`mittelo exec ${backend.name}: ${verdict.outcome} ${verdict.reason}: ${verdict.message}${verdict.hint ? ` — ${verdict.hint}` : ""}\n`);
  if (record.timedOut) return 124;
  return record.exitCode && record.exitCode !== 0 ? record.exitCode : EXIT_FAIL;
}
