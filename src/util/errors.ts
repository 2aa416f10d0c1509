/** Exit codes shared by every command: 0 as expected, 1 an outcome differs or a check failed, 2 configuration or usage error. */
export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

/**
 * An error the user can fix: it carries a stable code, the exit code, and a hint with the next step.
 * The CLI prints it without a stack trace.
 */
export class MitteloError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;
  /** Multi-line detail printed before the message (e.g. rendered manifest diagnostics). */
  readonly detail: string | undefined;
  constructor(code: string, message: string, options: { hint?: string; exitCode?: number; cause?: unknown; detail?: string } = {}) {
    super(message, { cause: options.cause });
    this.detail = options.detail;
    this.name = "MitteloError";
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT_USAGE;
    this.hint = options.hint;
  }
}

/** The message of anything thrown, for one-line reports. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
