#!/usr/bin/env node
// Entry point: loads the CLI (the build in dist/, or the sources when they are newer) and hands it argv.
// The CLI module is the only place that decides the exit code.
import { loadCli } from "./load-cli.mjs";

const { main, stopWithLauncher } = await loadCli();
stopWithLauncher(); // a SIGTERM to npx/npm stops the command
process.exitCode = await main(process.argv.slice(2));
