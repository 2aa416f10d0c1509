// Help flags: every flag the invocation relies on must still appear in the installed CLI's help text,
// so a renamed flag shows up as drift before it breaks a run.
import { stripAnsi } from "../backends/capture.ts";
import type { HelpCheck } from "../manifest/plan-types.ts";
import { lastLine, type Prober, shown, timeoutEvidence } from "./probe.ts";
import type { Finding } from "./types.ts";

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whether `flag` appears in `help` as a whole option (`-p` does not match inside `--print-logs`). */
export function hasFlag(help: string, flag: string): boolean {
  return new RegExp(`(^|[\\s,\\[(|/])${escapeRegex(flag)}(?=$|[\\s,=\\]|)<./])`, "m").test(help);
}

export async function checkHelp(help: HelpCheck, run: Prober, timeoutMs: number, install: string | undefined): Promise<Finding[]> {
  const command = shown(help.command);
  const record = await run(help.command);
  if (record.timedOut) {
    return [
      {
        code: "probe-timeout",
        severity: "warn",
        message: `\`${command}\` did not finish within ${timeoutMs} ms; help flags not checked`,
        evidence: timeoutEvidence(record, timeoutMs),
        hint: `run \`${command}\` by hand`,
      },
    ];
  }
  // Some CLIs print help on stderr (opencode) or exit non-zero after printing it.
  const text = stripAnsi(`${record.stdout}\n${record.stderr}`);
  if (record.spawnError || !text.trim()) {
    return [
      {
        code: "probe-failed",
        severity: "warn",
        message: `\`${command}\` printed no help; help flags not checked`,
        evidence: record.spawnError?.message ?? `exit ${record.exitCode ?? record.signal}; no output`,
        hint: `check help.command in matrix.yaml (run \`${command}\` by hand)`,
      },
    ];
  }
  const missing = help.flags.filter((flag) => !hasFlag(text, flag));
  if (!missing.length) return [];
  return [
    {
      code: "missing-flag",
      severity: "fail",
      message: `the installed CLI no longer documents ${missing.join(", ")}`,
      evidence: `not in the output of \`${command}\` (exit ${record.exitCode ?? record.signal}; ${text.length} chars; last line: ${lastLine(record)})`,
      hint: `${install ? `install the locked version: ${install}; or ` : ""}update invoke.argv and help.flags in matrix.yaml to the new flag names`,
    },
  ];
}
