// Preflight of one backend: platform, binaries, wrapper, env, auth, local service, version lock, help flags.
// Pure checks first; probes of the real CLI (version, help, auth command) run in parallel, each through invoke()
// with stdin closed, a sandboxed HOME and the probe timeout, so the whole check can never hang.
import type { PlannedBackend } from "../manifest/plan-types.ts";
import { executableProblem } from "../util/executable.ts";
import { authHome, checkAuth, checkEnvAllOf } from "./auth.ts";
import { checkBinaries } from "./binaries.ts";
import { visibleEnv } from "../backends/environment.ts";
import { createSandbox } from "../backends/sandbox.ts";
import { checkHelp } from "./help.ts";
import { checkPlatform } from "./platform.ts";
import { prober } from "./probe.ts";
import { statusOf } from "./status.ts";
import type { Finding, PreflightResult } from "./types.ts";
import { checkUrl } from "./url.ts";
import { checkVersion } from "./version.ts";

export interface PreflightContext {
  /** The caller's env, or a prepared backend's; probes see only what the backend may see (least privilege). */
  env: Record<string, string>;
  probeTimeoutMs: number;
  /** defaults.redact_env: more variable names treated as secrets. */
  secretNames?: readonly string[];
  /** Aborting it kills the running probes at once (Ctrl-C, SIGTERM, --bail). */
  signal?: AbortSignal | undefined;
  platform?: string;
  arch?: string;
}

export async function preflight(backend: PlannedBackend, ctx: PreflightContext): Promise<PreflightResult> {
  const started = Date.now();
  const done = (findings: Finding[], extra: Partial<PreflightResult> = {}): PreflightResult => ({
    backend: backend.name,
    status: statusOf(findings),
    findings,
    ...extra,
    durationMs: Date.now() - started,
  });
  const { requires } = backend;
  const env = visibleEnv(backend, ctx.env, ctx.secretNames).env;

  const platform = checkPlatform(requires, ctx.platform ?? process.platform, ctx.arch ?? process.arch);
  if (platform.length) return done(platform);

  const found = checkBinaries(requiredBinaries(backend), env, backend.install);
  const findings: Finding[] = [...found.findings, ...checkWrapper(backend), ...checkEnvAllOf(requires, env)];
  const haveBinary = found.findings.length === 0;
  const runAuthCommand = Boolean(requires.auth_command && haveBinary);

  // The probes' HOME: the caller's sandbox when it has one (the matrix, the agent), else a private one of their own,
  // with the auth files an auth command reads. First runs unpack, write config and caches there, never in the real HOME.
  const outer = env.MITTELO_SUBPROCESS_HOME || undefined;
  const sandbox = createSandbox({
    label: "probe",
    home: true,
    outerHome: outer,
    workdir: outer ? { use: env.MITTELO_SUBPROCESS_WORKDIR || outer } : undefined,
    realHome: authHome(env),
    authFiles: runAuthCommand ? requires.auth_files : [],
  });
  try {
    const run = prober({ env: { ...env, ...sandbox.env }, cwd: sandbox.workdir, timeoutMs: ctx.probeTimeoutMs, signal: ctx.signal });
    const authRun = runAuthCommand ? run : undefined;
    const [auth, url, version, help] = await Promise.all([
      checkAuth({ requires, env, home: authHome(env), login: backend.login, run: authRun, timeoutMs: ctx.probeTimeoutMs }),
      requires.url ? checkUrl(requires.url, Math.min(ctx.probeTimeoutMs, 2000), backend.login) : Promise.resolve([]),
      backend.version && haveBinary ? checkVersion(backend.version, run, ctx.probeTimeoutMs, backend.install) : Promise.resolve(undefined),
      backend.help && haveBinary ? checkHelp(backend.help, run, ctx.probeTimeoutMs, backend.install) : Promise.resolve([]),
    ]);
    findings.push(...auth, ...url, ...(version?.findings ?? []), ...help);
    const versionInfo = version?.version ?? (backend.version ? { locked: backend.version.lock, verified: backend.version.verified } : undefined);
    return done(findings, { binary: found.primary, version: versionInfo });
  } finally {
    sandbox.dispose();
  }
}

/**
 * The binaries a backend needs: the program its argv runs (always, first: it is what runs, so it is what must be found),
 * then `requires.binaries` (each a name or a list of alternatives, for what a wrapper or the CLI itself calls).
 */
export function requiredBinaries(backend: PlannedBackend): Array<string | string[]> {
  const declared = backend.requires.binaries ?? [];
  const program = backend.invocation.kind === "argv" ? backend.invocation.argv[0] : undefined;
  if (!program || program.includes("{")) return declared;
  return [program, ...declared.filter((item) => item !== program)];
}

/** A wrapper invocation needs an executable file. */
function checkWrapper(backend: PlannedBackend): Finding[] {
  if (backend.invocation.kind !== "wrapper") return [];
  const path = backend.invocation.path;
  const problem = executableProblem(path);
  if (problem === undefined) return [];
  if (problem !== "is not executable") {
    return [
      {
        code: "config",
        severity: "fail",
        message: `wrapper ${path} ${problem}`,
        evidence: path,
        hint: "create it (copy backends/_template/run) or fix invoke.wrapper in matrix.yaml",
      },
    ];
  }
  return [{ code: "config", severity: "fail", message: `wrapper ${path} is not executable`, evidence: path, hint: `chmod +x ${path}` }];
}
export { skipReasonOf } from "./status.ts";
