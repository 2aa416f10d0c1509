// The GitHub Actions edge: append the summary to $GITHUB_STEP_SUMMARY, and under GITHUB_ACTIONS=true print error
// annotations (on stderr, which the runner reads for workflow commands like stdout, so TAP and JSON on stdout stay clean).
import { appendFileSync, readFileSync } from "node:fs";
import type { Diagnostic } from "../manifest/diagnostic.ts";
import { diagnosticAnnotations, outcomeAnnotations } from "../report/github.ts";
import type { ReportModel } from "../report/model.ts";
import type { CliIO } from "./io.ts";

/** GitHub shows at most 1 MiB of a step's summary; a longer summary.md is cut with a pointer to the artifact. */
export const STEP_SUMMARY_LIMIT = 1000 * 1024;

const workspace = (env: NodeJS.ProcessEnv) => env.GITHUB_WORKSPACE || process.cwd();

export function publishToGitHub(model: ReportModel, summaryFile: string, io: CliIO, env: NodeJS.ProcessEnv = process.env): void {
  if (env.GITHUB_STEP_SUMMARY) {
    let text = readFileSync(summaryFile, "utf8");
    if (Buffer.byteLength(text) > STEP_SUMMARY_LIMIT) {
      const cut = Buffer.from(text)
        .subarray(0, STEP_SUMMARY_LIMIT - 200)
        .toString("utf8")
        .replace(/\uFFFD$/, "");
      text = `${cut}\n\n… cut at GitHub's step-summary limit: the whole summary.md is in the report artifact (${summaryFile}).\n`;
    }
    try {
      appendFileSync(env.GITHUB_STEP_SUMMARY, `${text}\n`);
    } catch (error) {
      io.stderr(`mittelo: could not append to GITHUB_STEP_SUMMARY (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
    }
  }
  if (env.GITHUB_ACTIONS === "true") for (const line of outcomeAnnotations(model, workspace(env))) io.stderr(`${line}\n`);
}

export function annotateDiagnostics(diagnostics: readonly Diagnostic[], io: CliIO, env: NodeJS.ProcessEnv = process.env): void {
  if (env.GITHUB_ACTIONS === "true") for (const line of diagnosticAnnotations(diagnostics, workspace(env))) io.stderr(`${line}\n`);
}
