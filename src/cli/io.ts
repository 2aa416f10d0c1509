/** Where a command writes and how it reports its exit code: the process, or a buffer in tests. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Records the command's exit code (the highest one wins). */
  exit(code: number): void;
  exitCode(): number;
  /** stderr is a terminal (live progress). */
  isTTY: boolean;
  /** stdout is a terminal (the default reporter, colours). */
  stdoutIsTTY?: boolean;
}

/**
 * The process's streams. A reader that goes away (`mittelo … | head`, or the swarm or pair smoke that started this
 * agent was killed) is not an error: further output to that stream is dropped and the command finishes its work and
 * its clean-up (reports written, backends stopped), instead of dying on EPIPE.
 */
export function processIO(): CliIO {
  let code = 0;
  const closed = { stdout: false, stderr: false };
  for (const name of ["stdout", "stderr"] as const) {
    process[name].on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      closed[name] = true;
    });
  }
  const write = (name: "stdout" | "stderr", text: string) => {
    if (!closed[name]) process[name].write(text);
  };
  return {
    stdout: (text) => write("stdout", text),
    stderr: (text) => write("stderr", text),
    exit: (c) => {
      code = Math.max(code, c);
    },
    exitCode: () => code,
    isTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
  };
}
