import type { Expectation, FailurePattern, HelpCheck, Outcome, Requires, StubSetup, VersionLock } from "./schema-types.ts";

export type { Expectation, FailurePattern, HelpCheck, Outcome, Requires, StubSetup, VersionLock };

/** How a backend is started: its CLI directly (argv) or an executable wrapper. */
export type Invocation =
  | { kind: "argv"; argv: string[]; prompt: "stdin" | "arg"; builtin?: "echo" }
  | { kind: "wrapper"; path: string; prompt: "stdin" | "arg"; builtin?: "echo" };

export interface OutputRules {
  extract: "text" | "json" | "jsonl-last";
  field?: string;
  errorField?: string;
  clean: boolean;
  bannerPatterns: string[];
}

export interface PlannedCase {
  name: string;
  prompt: string;
  timeoutMs: number;
  expect: Expectation & { exit_code: number };
  /** With --repeat: the share of runs that must pass for a flaky case to count as PASS (`min_pass_rate`). */
  minPassRate?: number;
}

/** A backend ready to run: defaults, alias and profile applied; every path absolute. */
export interface PlannedBackend {
  name: string;
  /** `manifest` for an entry in matrix.yaml, `folder` for a discovered backends/<name>/run without one. */
  source: "manifest" | "folder";
  aliasOf?: string;
  description: string;
  invocation: Invocation;
  requires: Requires;
  install?: string;
  login?: string;
  docs?: string;
  notes?: string;
  model: { env: string; default: string };
  env: Record<string, string>;
  /** Secret variables it may see besides those named in requires.env_* / env / stub.env (`PREFIX*` allowed). */
  passEnv: string[];
  version?: VersionLock;
  help?: HelpCheck;
  output: OutputRules;
  failures: FailurePattern[];
  cases: PlannedCase[];
  expected: Outcome;
  timeoutMs: number;
  concurrency: number;
  stub?: StubSetup;
  /** Line of the backend's key in the manifest (for CI annotations); absent for folder-only backends. */
  line?: number;
}

export interface PlanSettings {
  concurrency: number;
  killGraceMs: number;
  probeTimeoutMs: number;
  gateIdleMs: number;
  outputCapBytes: number;
  sandbox: { home: boolean; workdir: boolean; copyAuth: boolean };
  redactEnv: string[];
  crashPatterns: string[];
  gatePatterns: string[];
  runOnWarn: boolean;
  stub: boolean;
}

export interface PlannedPair {
  name: string;
  a: string;
  b: string;
  tasks: number;
  timeoutMs: number;
  chaos: boolean;
  expected: Outcome;
  /** Line of the pair's entry in the manifest. */
  line?: number;
}

/**
 * Something this run leaves out, and why: a backend, a smoke pair one of whose backends is left out, or a folder with a
 * `run` file that is not a backend (its name breaks the naming rule, or `run` is not executable; `name` is its path).
 */
export interface Excluded {
  kind: "backend" | "pair" | "folder";
  name: string;
  why: string;
}

export interface Plan {
  manifestFile: string;
  manifestDir: string;
  manifestHash: string;
  profile: string | undefined;
  settings: PlanSettings;
  backends: PlannedBackend[];
  /** Backends filtered out by --include/--exclude/profile or `enabled: false`, and the pairs left out with them, with why. */
  excluded: Excluded[];
  /** The smoke pairs whose two backends are both in the plan. */
  pairs: PlannedPair[];
  /** How many times every case runs (`--repeat`, default 1). */
  repeat: number;
}
