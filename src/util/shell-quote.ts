// Quoting for the copy-paste commands we print (tickets in summary.md, docs/BACKENDS.md). Display only: Mittelö
// never runs a shell around user data (argv arrays everywhere).

/** One argument for a POSIX shell: as is when it holds only safe characters, else in single quotes. */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A whole argv as one shell command line. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}
