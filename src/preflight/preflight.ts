// Preflight of one backend: platform, binaries, wrapper, env, auth, local service, version lock, help flags.
// Pure checks first; probes of the real CLI (version, help, auth command) run in parallel, each through invoke()
// with stdin closed, a sandboxed HOME and the probe timeout, so the whole check can never hang.
import { accessSync, constants, statSync } from "node:fs";
import type { PlannedBackend } from "../manifest/plan-types.ts";
import { authHome, checkAuth, checkEnvAllOf } from "./auth.ts";
import { checkBinaries } from "./binaries.ts";
import { checkHelp } from "./help.ts";
import { copyAuthFiles, probeHome } from "./home.ts";
import { checkPlatform } from "./platform.ts";
import { prober } from "./probe.ts";
import { statusOf } from "./status.ts";
import type { Finding, PreflightResult } from "./types.ts";
import { checkUrl } from "./url.ts";
import { checkVersion } from "./version.ts";

export interface PreflightContext {
  env: Record<string, string>;
  probeTimeoutMs: number;
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

  const platform = checkPlatform(requires, ctx.platform ?? process.platform, ctx.arch ?? process.arch);
  if (platform.length) return done(platform);

  const binaries = requires.binaries ?? (backend.invocation.kind === "argv" && backend.invocation.argv[0] ? [backend.invocation.argv[0]] : []);
  const found = checkBinaries(binaries, ctx.env, backend.install);
  const findings: Finding[] = [...found.findings, ...checkWrapper(backend), ...checkEnvAllOf(requires, ctx.env)];
  const haveBinary = found.findings.length === 0;

  const home = probeHome(ctx.env);
  try {
    const run = prober({ env: ctx.env, home: home.home, timeoutMs: ctx.probeTimeoutMs });
    const authRun = requires.auth_command && haveBinary ? run : undefined;
    if (authRun) copyAuthFiles(requires.auth_files ?? [], authHome(ctx.env), home.home);
    const [auth, url, version, help] = await Promise.all([
      checkAuth({ requires, env: ctx.env, home: authHome(ctx.env), login: backend.login, run: authRun, timeoutMs: ctx.probeTimeoutMs }),
      requires.url ? checkUrl(requires.url, Math.min(ctx.probeTimeoutMs, 2000), backend.login) : Promise.resolve([]),
      backend.version && haveBinary ? checkVersion(backend.version, run, ctx.probeTimeoutMs, backend.install) : Promise.resolve(undefined),
      backend.help && haveBinary ? checkHelp(backend.help, run, ctx.probeTimeoutMs, backend.install) : Promise.resolve([]),
    ]);
    findings.push(...auth, ...url, ...(version?.findings ?? []), ...help);
    const versionInfo = version?.version ?? (backend.version ? { locked: backend.version.lock, verified: backend.version.verified } : undefined);
    return done(findings, { binary: found.primary, version: versionInfo });
  } finally {
    home.dispose();
  }
}

/** A wrapper invocation needs an executable file. */
function checkWrapper(backend: PlannedBackend): Finding[] {
  if (backend.invocation.kind !== "wrapper") return [];
  const path = backend.invocation.path;
  try {
    if (!statSync(path).isFile()) throw new Error("not a file");
  } catch {
    return [
      {
        code: "config",
        severity: "fail",
        message: `wrapper ${path} does not exist`,
        evidence: path,
        hint: "create it (copy backends/_template/run) or fix invoke.wrapper in matrix.yaml",
      },
    ];
  }
  try {
    accessSync(path, constants.X_OK);
    return [];
  } catch {
    return [{ code: "config", severity: "fail", message: `wrapper ${path} is not executable`, evidence: path, hint: `chmod +x ${path}` }];
  }
}
export { skipReasonOf } from "./status.ts";
