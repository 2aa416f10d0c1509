// The result of checking a backend before running it. Shared by backend-check, doctor, the harness and the agent.

export type PreflightStatus = "ok" | "warn" | "fail";

/** Stable finding codes; a fail finding's code becomes the SKIP reason of the backend's cases. */
export type FindingCode =
  | "missing-binary"
  | "version-drift"
  | "version-unknown"
  | "missing-flag"
  | "auth-missing"
  | "env-missing"
  | "platform"
  | "network"
  | "config"
  | "probe-timeout"
  | "probe-failed"
  /** info: how the login was detected (env var name, auth file, auth command). */
  | "auth-ok";

export interface Finding {
  code: FindingCode;
  severity: "fail" | "warn" | "info";
  message: string;
  /** What was looked at: the PATH searched, the version seen vs locked, the file looked for, the probe's output line. */
  evidence?: string;
  /** The exact next step: an install command, a login command, an env var to set. */
  hint?: string;
}

export interface PreflightResult {
  backend: string;
  status: PreflightStatus;
  findings: Finding[];
  /** Absolute path of the binary found, when the backend has one. */
  binary?: string;
  version?: { seen?: string; locked?: string; inLock?: boolean; verified?: string };
  durationMs: number;
}
