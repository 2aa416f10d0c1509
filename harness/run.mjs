#!/usr/bin/env zx
// The main job: `npx zx harness/run.mjs [flags]` is `mittelo matrix [flags]`. Thin on purpose: flags → the CLI.
import { fileURLToPath } from "node:url";
import { loadCli } from "../bin/load-cli.mjs";

const { main, stopWithLauncher } = await loadCli();
stopWithLauncher(); // a SIGTERM to npx stops the run
const self = fileURLToPath(import.meta.url);
const at = process.argv.findIndex((arg) => arg.endsWith("harness/run.mjs") || arg === self);
const flags = at === -1 ? process.argv.slice(2) : process.argv.slice(at + 1);
process.exitCode = await main(["matrix", ...flags]);
