#!/usr/bin/env node
// Entry point: loads the CLI (the build in dist/, or the sources when they are newer) and hands it argv.
// The CLI module is the only place that decides the exit code.
import { loadMain } from "./load-cli.mjs";

const main = await loadMain();
process.exitCode = await main(process.argv.slice(2));
