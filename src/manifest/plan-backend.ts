// One backend of the plan (pure): a manifest entry (its aliases resolved) or a backends/<name>/ folder, with what it
// inherits from the defaults, the profile and the flags.
import type { Invocation, Outcome, PlannedBackend, PlannedCase } from "./plan-types.ts";
import type { Backend, Case, MitteloBackendMatrixManifest as Manifest } from "./schema-types.ts";

/** What every backend inherits: the default cases, the expectation and timeout rules, where wrappers are. */
export interface Inherited {
  /** defaults.cases (with --prompt applied). */
  defaultCases: Case[];
  /** The expected outcome: the profile's key of `own`, the profile's, own default, the manifest's, mittelo's. */
  expectedFor: (own: Record<string, Outcome> | undefined) => Outcome;
  /** A case's timeout: --timeout, the case's, the backend's, the profile's, the manifest's, mittelo's. */
  timeoutFor: (backendTimeout: number | string | undefined, c: Case | undefined) => number;
  /** The absolute path of a wrapper the manifest names. */
  wrapperOf: (path: string) => string;
}

/** The model variable of a backend: MITTELO_<NAME>_MODEL. */
export function modelEnvName(name: string): string {
  return `MITTELO_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_MODEL`;
}

/** A manifest backend; `entry` is its resolved form (alias_of applied), `line` where its key stands. */
export function manifestBackend(manifest: Manifest, name: string, entry: Backend, line: number | undefined, inherited: Inherited): PlannedBackend {
  const { timeoutFor } = inherited;
  const promptMode = entry.invoke?.prompt ?? "stdin";
  const invocation: Invocation = entry.invoke?.argv
    ? { kind: "argv", argv: [...entry.invoke.argv], prompt: promptMode, builtin: entry.invoke.builtin }
    : { kind: "wrapper", path: inherited.wrapperOf(entry.invoke?.wrapper ?? `backends/${name}/run`), prompt: promptMode, builtin: entry.invoke?.builtin };
  const cases = [...(entry.skip_default_cases ? [] : inherited.defaultCases), ...(entry.cases ?? [])].map((c) => planCase(c, timeoutFor(entry.timeout, c)));
  return {
    name,
    source: "manifest",
    aliasOf: manifest.backends[name]?.alias_of,
    description: entry.description ?? "",
    invocation,
    requires: entry.requires ?? {},
    install: entry.install,
    login: entry.login,
    docs: entry.docs,
    notes: entry.notes,
    model: { env: entry.model?.env ?? modelEnvName(name), default: entry.model?.default ?? "" },
    env: entry.env ?? {},
    passEnv: entry.pass_env ?? [],
    version: entry.version,
    help: entry.help,
    output: {
      extract: entry.output?.extract ?? "text",
      field: entry.output?.field,
      errorField: entry.output?.error_field,
      clean: entry.output?.clean ?? true,
      bannerPatterns: entry.output?.banner_patterns ?? [],
    },
    failures: entry.failures ?? [],
    cases,
    expected: inherited.expectedFor(manifest.backends[name]?.expect ?? entry.expect),
    timeoutMs: timeoutFor(entry.timeout, undefined),
    concurrency: entry.concurrency ?? 1,
    stub: entry.stub,
    line,
  };
}

/** A backends/<name>/run folder the manifest does not name: the default cases, stdin, plain text. */
export function folderBackend(found: { name: string; wrapper: string }, inherited: Inherited): PlannedBackend {
  return {
    name: found.name,
    source: "folder",
    description: `folder-only backend (${found.wrapper})`,
    invocation: { kind: "wrapper", path: found.wrapper, prompt: "stdin" },
    requires: {},
    model: { env: modelEnvName(found.name), default: "" },
    env: {},
    passEnv: [],
    output: { extract: "text", clean: true, bannerPatterns: [] },
    failures: [],
    cases: inherited.defaultCases.map((c) => planCase(c, inherited.timeoutFor(undefined, c))),
    expected: inherited.expectedFor(undefined),
    timeoutMs: inherited.timeoutFor(undefined, undefined),
    concurrency: 1,
  };
}

/** --prompt replaces a case's prompt; its answer checks go with it (they were written for the old prompt). */
export function overridePrompt(c: Case, prompt: string): Case {
  return { ...c, prompt, expect: { exit_code: c.expect?.exit_code ?? 0, stderr_not: c.expect?.stderr_not, max_latency: c.expect?.max_latency } };
}

function planCase(c: Case, timeoutMs: number): PlannedCase {
  const planned: PlannedCase = { name: c.name, prompt: c.prompt, timeoutMs, expect: { ...c.expect, exit_code: c.expect?.exit_code ?? 0 } };
  if (c.min_pass_rate !== undefined) planned.minPassRate = c.min_pass_rate;
  return planned;
}
