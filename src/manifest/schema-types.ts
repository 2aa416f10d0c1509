/* Generated from schemas/matrix.schema.json by scripts/gen-types.mjs. Do not edit: edit the schema and run `npm run gen`. */

/**
 * An identifier: starts with a lower-case letter, then lower-case letters, digits, _ or -; at most 64 characters (it names folders in the report).
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Name".
 */
export type Name = string;
/**
 * A command as an argv array: the program, then its arguments. Never a shell string. `{prompt}` in an argument is replaced by the prompt when `prompt` is `arg`; `{model}` by the model; `{workdir}` by the sandbox work directory.
 *
 * @minItems 1
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Argv".
 */
export type Argv = [string, ...string[]];
/**
 * A path relative to HOME that stays inside it: not absolute, no `..` segment, no `~`.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "HomePath".
 */
export type HomePath = string;
/**
 * An environment variable name, or a prefix ending in `*` (`AWS_*`).
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "SecretName".
 */
export type SecretName = string;
/**
 * A command as an argv array: the program, then its arguments. Never a shell string. `{prompt}` in an argument is replaced by the prompt when `prompt` is `arg`; `{model}` by the model; `{workdir}` by the sandbox work directory.
 *
 * @minItems 1
 */
export type Argv1 = [string, ...string[]];
/**
 * A command as an argv array: the program, then its arguments. Never a shell string. `{prompt}` in an argument is replaced by the prompt when `prompt` is `arg`; `{model}` by the model; `{workdir}` by the sandbox work directory.
 *
 * @minItems 1
 */
export type Argv2 = [string, ...string[]];
/**
 * An expected outcome: `pass`, `skip`, `fail`, or `any-but-fail` (PASS or SKIP are both fine).
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Outcome".
 */
export type Outcome = "pass" | "skip" | "fail" | "any-but-fail";
/**
 * A duration: a number of seconds, or a string with a unit (ms, s, m, h), e.g. `120s`, `1.5m`, `500ms`.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Duration".
 */
export type Duration = number | string;
/**
 * A size: a number of bytes or a string with a unit (B, KiB, MiB, GiB), e.g. `10MiB`.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Bytes".
 */
export type Bytes = number | string;

/**
 * matrix.yaml: the one place a backend is described. Every backend's prerequisites, invocation, version lock, known setup failures, test cases and expected outcomes per profile.
 */
export interface MitteloBackendMatrixManifest {
  /**
   * Where editors find this schema (e.g. ./node_modules/mittelo/schemas/matrix.schema.json); ignored by mittelo. The `# yaml-language-server: $schema=…` first line does the same without a key.
   */
  $schema?: string;
  /**
   * Manifest format version. Only 1 exists.
   */
  version: 1;
  defaults?: Defaults;
  /**
   * Named sets of overrides and expected outcomes, selected with --profile NAME. `ci` makes CI stable with no external CLI installed.
   */
  profiles?: {
    [k: string]: Profile;
  };
  /**
   * One entry per backend, keyed by its name (lower-case letters, digits, _ and -). The name is also the folder under backends/ and the suffix of MITTELO_<NAME>_MODEL.
   */
  backends: {
    [k: string]: Backend;
  };
  smoke?: Smoke;
}
/**
 * Settings every backend inherits unless it or the active profile overrides them.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Defaults".
 */
export interface Defaults {
  /**
   * Wall-clock limit for one case; the process tree gets SIGTERM, then SIGKILL after `kill_grace`.
   */
  timeout?: number | string;
  /**
   * Time between SIGTERM and SIGKILL when a case times out.
   */
  kill_grace?: number | string;
  /**
   * How many cases run at once across all backends.
   */
  concurrency?: number;
  /**
   * Limit for each preflight probe (`--version`, `--help`).
   */
  probe_timeout?: number | string;
  /**
   * A backend silent this long while its last output looks like a question (trust dialog, login prompt) is stopped and classified SKIP gate.
   */
  gate_idle?: number | string;
  /**
   * Maximum bytes captured per stream; the rest is discarded and the truncation noted.
   */
  output_cap?: number | string;
  /**
   * Expected outcome for backends that set none for the active profile.
   */
  expect?: "pass" | "skip" | "fail" | "any-but-fail";
  /**
   * Test cases every backend runs (folder-only backends too), before its own.
   */
  cases?: Case[];
  sandbox?: Sandbox;
  /**
   * Extra environment variable names treated as secrets, on top of names containing KEY, TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE or CREDENTIAL: their values are redacted from every report and log (docs/SAFETY.md gives the rule), and a backend sees them only when it declares them (pass_env).
   */
  redact_env?: string[];
  /**
   * Regular expressions that mark a crash when they match stderr (e.g. `Traceback`, `Unhandled`, `panic`).
   */
  crash_patterns?: string[];
  /**
   * Regular expressions that mark output waiting for a person (trust dialog, login prompt, `Press Enter`).
   */
  gate_patterns?: string[];
}
/**
 * One test case: a prompt and what its answer must look like.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Case".
 */
export interface Case {
  /**
   * Case name; unique per backend; the folder of its artifacts.
   */
  name: string;
  /**
   * Sent on stdin (or as the `{prompt}` argument).
   */
  prompt: string;
  /**
   * Overrides the timeout for this case.
   */
  timeout?: number | string;
  expect?: Expectation;
  /**
   * With `--repeat k`: the share of the k runs that must pass for a flaky case (some runs passed, some failed) to count as PASS, e.g. 0.75 accepts 3 of 4. Without it a flaky case never meets an expectation of `pass`.
   */
  min_pass_rate?: number;
}
/**
 * What a case's run must show. Every listed check must hold.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Expectation".
 */
export interface Expectation {
  /**
   * Expected exit code (default 0).
   */
  exit_code?: number;
  stdout?: TextMatch;
  /**
   * Regular expressions that must not match stderr.
   */
  stderr_not?: string[];
  /**
   * The case fails when it takes longer than this.
   */
  max_latency?: number | string;
}
/**
 * Checks on the extracted answer.
 */
export interface TextMatch {
  /**
   * The text, trimmed, equals this.
   */
  equals?: string;
  /**
   * The text contains this (case-insensitive).
   */
  contains?: string;
  /**
   * A regular expression the text must match.
   */
  regex?: string;
  /**
   * The text parses as JSON.
   */
  json?: boolean;
  /**
   * A JSON Schema the parsed text must satisfy (implies json).
   */
  json_schema?: {};
}
/**
 * Isolation of each backend run: a private HOME (in a temp folder of its own, mode 0700, removed after the run) and a work directory.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Sandbox".
 */
export interface Sandbox {
  /**
   * Give each backend its own HOME (and XDG_* dirs and TMPDIR) in a private temp folder outside the report folder, removed after the run; exported as MITTELO_SUBPROCESS_HOME. Default true.
   */
  home?: boolean;
  /**
   * Run each backend in its own work directory, exported as MITTELO_SUBPROCESS_WORKDIR: `<report>/<backend>/work` in a matrix run (kept, scrubbed of credentials), a private temp folder for an agent. false: the current directory. Default true.
   */
  workdir?: boolean;
  /**
   * Copy the backend's auth files from the real HOME into its private sandbox HOME (mode 0600) so a logged-in CLI stays logged in. Default true.
   */
  copy_auth?: boolean;
}
/**
 * A named set of overrides and expected outcomes.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Profile".
 */
export interface Profile {
  /**
   * What the profile is for.
   */
  description?: string;
  /**
   * Expected outcome for every backend that does not name this profile in its own `expect`.
   */
  expect?: "pass" | "skip" | "fail" | "any-but-fail";
  /**
   * Overrides defaults.timeout.
   */
  timeout?: number | string;
  /**
   * Overrides defaults.probe_timeout (e.g. longer when many real CLIs are probed at once).
   */
  probe_timeout?: number | string;
  /**
   * Overrides defaults.concurrency.
   */
  concurrency?: number;
  /**
   * Run only these backends.
   */
  include?: Name[];
  /**
   * Do not run these backends.
   */
  exclude?: Name[];
  /**
   * Run backends whose preflight is `warn` (default false: they are SKIPped with the warning).
   */
  run_on_warn?: boolean;
  /**
   * Point every backend at the built-in model stub (`mittelo stub`).
   */
  stub?: boolean;
}
/**
 * One backend: how to run it, what it needs, how to tell setup failures from bugs.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Backend".
 */
export interface Backend {
  /**
   * One line: what this backend is.
   */
  description?: string;
  /**
   * An identifier: starts with a lower-case letter, then lower-case letters, digits, _ or -; at most 64 characters (it names folders in the report).
   */
  alias_of?: string;
  /**
   * false: keep the entry but never plan it. Default true.
   */
  enabled?: boolean;
  invoke?: Invoke;
  requires?: Requires;
  /**
   * The install command with a pinned version, shown as the fix for a missing binary.
   */
  install?: string;
  /**
   * The command or step that authenticates, shown as the fix for an auth finding.
   */
  login?: string;
  /**
   * Link to the backend's own documentation.
   */
  docs?: string;
  model?: Model;
  env?: EnvMap;
  /**
   * Secret environment variables (names containing KEY, TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE or CREDENTIAL, those in defaults.redact_env, and URLs with a password) this backend may see besides those named in requires.env_any_of / env_all_of, env and stub.env. Every other secret of the caller's environment is withheld from it; MITTELO_TOKEN never reaches a backend.
   */
  pass_env?: SecretName[];
  version?: VersionLock;
  help?: HelpCheck;
  output?: Output;
  /**
   * Known setup failures: output patterns that turn a failed run into SKIP with a reason, checked in order.
   */
  failures?: FailurePattern[];
  /**
   * Cases for this backend, after the default ones.
   */
  cases?: Case[];
  /**
   * Do not run defaults.cases for this backend.
   */
  skip_default_cases?: boolean;
  /**
   * Expected outcome per profile name; `default` applies when the active profile is not listed (or no profile is active).
   */
  expect?: {
    [k: string]: Outcome;
  };
  /**
   * Overrides the timeout for this backend's cases.
   */
  timeout?: number | string;
  /**
   * How many of this backend's cases may run at once (default 1).
   */
  concurrency?: number;
  stub?: StubSetup;
  /**
   * Free text for docs/BACKENDS.md: known failure modes, quirks.
   */
  notes?: string;
}
/**
 * How to run the backend: `argv` (the CLI itself) or `wrapper` (an executable); not both. Default: the wrapper backends/<name>/run.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Invoke".
 */
export interface Invoke {
  argv?: Argv;
  /**
   * Path of an executable wrapper, relative to the manifest (prompt on stdin, answer on stdout).
   */
  wrapper?: string;
  /**
   * How the prompt is passed: on stdin (default), or as the `{prompt}` argument. stdin is closed after the prompt either way.
   */
  prompt?: "stdin" | "arg";
  /**
   * Run an in-process implementation where possible (the agent runs `echo` in-process); the wrapper stays the reference.
   */
  builtin?: "echo";
}
/**
 * Prerequisites checked by preflight before anything runs.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Requires".
 */
export interface Requires {
  /**
   * Binaries that must be on PATH besides the program of invoke.argv, which is always checked (it is what runs). Each item is a name, or a list of alternatives of which one suffices (for what a wrapper calls). An alternative to the argv's own program is an error: the argv never runs it.
   */
  binaries?: (string | [string, ...string[]])[];
  /**
   * At least one of these env vars must be set (e.g. any API key the CLI accepts).
   */
  env_any_of?: string[];
  /**
   * All of these env vars must be set.
   */
  env_all_of?: string[];
  /**
   * Files, relative to HOME, any of which shows the CLI is logged in. They are copied into the backend's private sandbox HOME (never into the report folder) when defaults.sandbox.copy_auth is on.
   */
  auth_files?: HomePath[];
  auth_command?: AuthCommand;
  /**
   * true: no detectable auth is a preflight fail (SKIP auth) rather than a warn.
   */
  auth_required?: boolean;
  /**
   * Platforms the backend runs on (Node's process.platform).
   */
  platform?: ("linux" | "darwin" | "win32" | "freebsd")[];
  /**
   * CPU architectures the backend runs on (Node's process.arch).
   */
  arch?: ("x64" | "arm64" | "arm" | "ia32")[];
  /**
   * Needs a reachable network service besides the vendor API (e.g. a local model server): checked by `url`.
   */
  network?: boolean;
  /**
   * An HTTP URL that must answer (e.g. a local ollama server); unreachable → SKIP network.
   */
  url?: string;
}
/**
 * A fast command that tells whether the CLI is logged in (e.g. `claude auth status`).
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "AuthCommand".
 */
export interface AuthCommand {
  argv: Argv;
  /**
   * Regular expression on stdout+stderr meaning logged in.
   */
  ok_pattern?: string;
  /**
   * Regular expression on stdout+stderr meaning not logged in.
   */
  fail_pattern?: string;
}
/**
 * The model the backend uses: an env var the user sets (MITTELO_<NAME>_MODEL) and its default.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Model".
 */
export interface Model {
  /**
   * Environment variable that selects the model.
   */
  env?: string;
  /**
   * Model used when the variable is unset; empty means the CLI's own default.
   */
  default?: string;
}
/**
 * Environment set for every run of this backend.
 */
export interface EnvMap {
  [k: string]: string;
}
/**
 * How to read the installed version and which one is known to work.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "VersionLock".
 */
export interface VersionLock {
  command: Argv1;
  /**
   * Regular expression whose first group is the version (default: the first x.y.z).
   */
  pattern?: string;
  /**
   * The pinned version or a semver range known to work.
   */
  lock?: string;
  /**
   * The date the lock was last verified (written by --update-lock).
   */
  verified?: string;
  /**
   * The npm package that provides the CLI (used by `npm run test:real-clis` and install hints).
   */
  package?: string;
}
/**
 * Flags the invocation relies on, checked against the installed CLI's help so a renamed flag shows up as drift before it breaks a run.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "HelpCheck".
 */
export interface HelpCheck {
  command: Argv2;
  /**
   * Each must appear in the help text.
   */
  flags: string[];
}
/**
 * How to get the answer out of stdout.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Output".
 */
export interface Output {
  /**
   * text: stdout as is; json: parse stdout and take `field`; jsonl-last: the last JSON line with `field`.
   */
  extract?: "text" | "json" | "jsonl-last";
  /**
   * Dot path of the answer in the JSON (e.g. `result`, `response`, `item.text`).
   */
  field?: string;
  /**
   * Dot path of a flag or message that marks a JSON error object (e.g. `is_error`, `error`): when truthy the run is an error whatever the exit code.
   */
  error_field?: string;
  /**
   * stdout must be only the answer: no ANSI escapes, no banner (default true).
   */
  clean?: boolean;
  /**
   * Regular expressions of banner lines that must not reach stdout.
   */
  banner_patterns?: string[];
}
/**
 * A known setup failure: when `pattern` matches the run's output, the outcome is SKIP with `reason`.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "FailurePattern".
 */
export interface FailurePattern {
  /**
   * Regular expression (case-insensitive).
   */
  pattern: string;
  /**
   * The SKIP reason.
   */
  reason: "auth" | "network" | "quota" | "gate" | "platform" | "config";
  /**
   * Where to look (default any).
   */
  stream?: "stdout" | "stderr" | "any";
  /**
   * Only when the run exited with this code.
   */
  exit_code?: number;
  /**
   * The next step for the user.
   */
  hint?: string;
}
/**
 * How to point this backend at the built-in model stub (`mittelo stub`).
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "StubSetup".
 */
export interface StubSetup {
  /**
   * The API dialect the CLI speaks.
   */
  api: "anthropic" | "openai-responses" | "openai-chat" | "gemini";
  env?: EnvMap1;
  /**
   * Extra arguments inserted before the prompt argument.
   */
  args?: string[];
  /**
   * Files written into the sandboxed HOME before the run, path relative to HOME → content.
   */
  files?: {
    [k: string]: string;
  };
  /**
   * Model name to use against the stub.
   */
  model?: string;
}
/**
 * Env vars to set; `{url}` and `{port}` expand to the stub's address.
 */
export interface EnvMap1 {
  [k: string]: string;
}
/**
 * Pair smokes run after the backend matrix: two agents share a batch through a hub.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "Smoke".
 */
export interface Smoke {
  /**
   * Tasks per pair (default 6).
   */
  tasks?: number;
  /**
   * Limit for one pair (default 15s).
   */
  timeout?: number | string;
  pairs?: SmokePair[];
}
/**
 * Two backends whose agents share one batch.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "SmokePair".
 */
export interface SmokePair {
  /**
   * An identifier: starts with a lower-case letter, then lower-case letters, digits, _ or -; at most 64 characters (it names folders in the report).
   */
  name?: string;
  /**
   * An identifier: starts with a lower-case letter, then lower-case letters, digits, _ or -; at most 64 characters (it names folders in the report).
   */
  a: string;
  /**
   * An identifier: starts with a lower-case letter, then lower-case letters, digits, _ or -; at most 64 characters (it names folders in the report).
   */
  b: string;
  /**
   * Overrides smoke.tasks.
   */
  tasks?: number;
  /**
   * Kill agent A mid-task once and delay one ack past its lease.
   */
  chaos?: boolean;
  /**
   * Expected outcome per profile name (`default` when unlisted).
   */
  expect?: {
    [k: string]: Outcome;
  };
}
/**
 * Environment variables to set, name to value. `{model}`, `{home}` and `{workdir}` are expanded; with the stub, `{url}` and `{port}` too.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "EnvMap".
 */
export interface EnvMap2 {
  [k: string]: string;
}
/**
 * Checks on a text. Every listed check must hold.
 *
 * This interface was referenced by `MitteloBackendMatrixManifest`'s JSON-Schema
 * via the `definition` "TextMatch".
 */
export interface TextMatch1 {
  /**
   * The text, trimmed, equals this.
   */
  equals?: string;
  /**
   * The text contains this (case-insensitive).
   */
  contains?: string;
  /**
   * A regular expression the text must match.
   */
  regex?: string;
  /**
   * The text parses as JSON.
   */
  json?: boolean;
  /**
   * A JSON Schema the parsed text must satisfy (implies json).
   */
  json_schema?: {};
}
