/** Where a command writes and how it reports its exit code: the process, or a buffer in tests. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Records the command's exit code (the highest one wins). */
  exit(code: number): void;
  exitCode(): number;
  isTTY: boolean;
}

export function processIO(): CliIO {
  let code = 0;
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    exit: (c) => {
      code = Math.max(code, c);
    },
    exitCode: () => code,
    isTTY: Boolean(process.stderr.isTTY),
  };
}
