// Public surface of preflight, for backend-check, doctor, the harness and the agent.
export { type PreflightContext, preflight } from "./preflight.ts";
export { firstHint, reasonOf, type SkipReason, skipReasonOf, statusOf } from "./status.ts";
export type { Finding, FindingCode, PreflightResult, PreflightStatus } from "./types.ts";
