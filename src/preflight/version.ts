// The installed version: run the version command (a probe), parse it, compare it with the lock (exact or range).
import semver from "semver";
import { stripAnsi } from "../backends/capture.ts";
import type { VersionLock } from "../manifest/plan-types.ts";
import { lastLine, type Prober, shown, timeoutEvidence } from "./probe.ts";
import type { Finding, PreflightResult } from "./types.ts";

const FIRST_VERSION = /\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?/;
const FIRST_SHORT_VERSION = /\d+\.\d+/;

const VERSION_LINE = /^v?(\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.-]+)?)$/m;

/**
 * The version in a command's output: the pattern's first group (or whole match); without a pattern, a line that is
 * only a version (so a banner's numbers are not taken for it), else the first x.y.z, else the first x.y.
 */
export function parseVersion(text: string, pattern?: string): string | undefined {
  const clean = stripAnsi(text);
  if (pattern) {
    const match = new RegExp(pattern, "m").exec(clean);
    return match ? (match[1] ?? match[0]).trim() : undefined;
  }
  const line = VERSION_LINE.exec(
    clean
      .split(/\r?\n/)
      .map((l) => l.trim())
      .join("\n"),
  );
  if (line) return line[1];
  return (FIRST_VERSION.exec(clean) ?? FIRST_SHORT_VERSION.exec(clean))?.[0];
}

/** Whether `seen` satisfies `lock` (an exact version or a semver range); undefined when `seen` is not a version. */
export function inLock(seen: string, lock: string): boolean | undefined {
  const version = semver.valid(seen) ?? semver.coerce(seen)?.version;
  if (!version) return undefined;
  return semver.satisfies(version, lock, { includePrerelease: true });
}

export interface VersionCheck {
  findings: Finding[];
  version: NonNullable<PreflightResult["version"]>;
}

export async function checkVersion(lock: VersionLock, run: Prober, timeoutMs: number, install: string | undefined): Promise<VersionCheck> {
  const version: VersionCheck["version"] = { locked: lock.lock, verified: lock.verified };
  const command = shown(lock.command);
  const record = await run(lock.command);
  if (record.timedOut) {
    return {
      version,
      findings: [
        {
          code: "probe-timeout",
          severity: "warn",
          message: `\`${command}\` did not finish within ${timeoutMs} ms`,
          evidence: timeoutEvidence(record, timeoutMs),
          hint: `run \`${command}\` by hand: it may be waiting on a first-run prompt, an update check or the network`,
        },
      ],
    };
  }
  const seen = record.spawnError ? undefined : (parseVersion(record.stdout, lock.pattern) ?? parseVersion(record.stderr, lock.pattern));
  if (!seen) {
    return {
      version,
      findings: [
        {
          code: "version-unknown",
          severity: "warn",
          message: `could not read the version from \`${command}\``,
          evidence:
            record.spawnError?.message ??
            `exit ${record.exitCode ?? record.signal}; output: ${lastLine(record) || "(none)"}${lock.pattern ? `; pattern ${lock.pattern}` : ""}`,
          hint: lock.pattern ? `check version.pattern in matrix.yaml against the output of \`${command}\`` : `run \`${command}\` by hand`,
        },
      ],
    };
  }
  version.seen = seen;
  if (lock.lock === undefined) return { version, findings: [] };
  const ok = inLock(seen, lock.lock);
  version.inLock = ok ?? false;
  if (ok) return { version, findings: [] };
  return {
    version,
    findings: [
      {
        code: "version-drift",
        severity: "warn",
        message: `version ${seen} is outside the lock ${lock.lock}${lock.verified ? ` (verified ${lock.verified})` : ""}`,
        evidence: `\`${command}\` → ${seen}; locked ${lock.lock}`,
        hint: `${install ? `install the locked version: ${install}; or ` : ""}verify ${seen} and update version.lock and version.verified in matrix.yaml`,
      },
    ],
  };
}
