/** One record for every backend run, success or failure (as execa does): the classifier reads only this. */
export interface RunRecord {
  argv: string[];
  cwd: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  exitCode: number | null;
  signal: string | null;
  /** The harness stopped it because it ran past its timeout. */
  timedOut: boolean;
  /** The harness stopped it because it went silent on a question; `text` is the line it was waiting on. */
  gated: { text: string } | null;
  /** Stopped because the caller aborted (Ctrl-C, --bail, agent shutdown). */
  canceled: boolean;
  /** It could not be started at all (ENOENT, EACCES, …): a harness-side or setup fault, not the backend's answer. */
  spawnError: { code: string; message: string } | null;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}
