// The checks of a manifest a JSON Schema cannot express: durations, regular expressions, semver ranges, references
// between backends, profiles and pairs, alias cycles, invocations that cannot run. Each problem with its place.
import { dirname } from "node:path";
import semver from "semver";
import { executableProblem } from "../util/executable.ts";
import { parseDuration } from "../util/units.ts";
import { type Diagnostic, formatPath } from "./diagnostic.ts";
import { type LoadedManifest, locate } from "./load.ts";
import { didYouMean } from "./schema-errors.ts";
import type { Backend, Case, MitteloBackendMatrixManifest as Manifest } from "./schema-types.ts";
import { resolveWrapper } from "./wrapper-path.ts";

export type Segments = Array<string | number>;

/** Every semantic problem of a manifest that passed the schema, in the manifest's order. */
export function semanticDiagnostics(loaded: LoadedManifest, manifest: Manifest): Diagnostic[] {
  const check = new Checker(loaded, manifest);
  const defaultCaseNames = checkDefaults(check, manifest.defaults ?? {});
  for (const [name, profile] of Object.entries(manifest.profiles ?? {})) {
    check.duration(profile.timeout, ["profiles", name, "timeout"]);
    profile.include?.forEach((b, i) => {
      check.backendRef(b, ["profiles", name, "include", i], "included backend");
    });
    profile.exclude?.forEach((b, i) => {
      check.backendRef(b, ["profiles", name, "exclude", i], "excluded backend");
    });
  }
  for (const [name, backend] of Object.entries(manifest.backends)) {
    checkBackend(check, name, backend, defaultCaseNames);
    checkInvocation(check, name, backend);
  }
  check.out.push(...aliasCycles(loaded, manifest.backends));
  const smoke = manifest.smoke;
  check.duration(smoke?.timeout, ["smoke", "timeout"]);
  smoke?.pairs?.forEach((pair, i) => {
    check.backendRef(pair.a, ["smoke", "pairs", i, "a"], "backend");
    check.backendRef(pair.b, ["smoke", "pairs", i, "b"], "backend");
    check.profileRefs(pair.expect, ["smoke", "pairs", i, "expect"]);
  });
  return check.out;
}

/** The problems found so far, and the checks of one value each (a duration, a regex, a reference …). */
class Checker {
  readonly out: Diagnostic[] = [];
  readonly baseDir: string;
  private readonly backendNames: string[];
  private readonly backendSet: Set<string>;
  private readonly profileNames: string[];

  constructor(
    readonly loaded: LoadedManifest,
    readonly manifest: Manifest,
  ) {
    this.baseDir = dirname(loaded.file);
    this.backendNames = Object.keys(manifest.backends);
    this.backendSet = new Set(this.backendNames);
    this.profileNames = Object.keys(manifest.profiles ?? {});
  }

  at(segments: Segments, code: string, message: string, hint?: string, key = false): void {
    this.out.push({ file: this.loaded.file, ...locate(this.loaded, segments, { key }), path: formatPath(segments), code, message, hint });
  }

  duration(value: number | string | undefined, segments: Segments): void {
    if (value === undefined) return;
    const ms = parseDuration(value);
    if (ms === undefined) this.at(segments, "bad-duration", `'${value}' is not a duration`, "write a number of seconds or e.g. 120s, 1.5m, 500ms");
    else if (ms === 0 && segments.at(-1) === "timeout")
      this.at(segments, "bad-duration", "a timeout of 0 would stop every run at once", "use a positive duration such as 120s");
  }

  regex(pattern: string | undefined, segments: Segments): void {
    if (pattern === undefined) return;
    try {
      new RegExp(pattern, "i");
    } catch (error) {
      this.at(segments, "bad-regex", `invalid regular expression: ${(error as Error).message}`, "escape special characters such as ( [ { with a backslash");
    }
  }

  /** Each case: a name not `taken` yet (the default cases' names are taken for a backend that runs them), its durations and patterns. */
  cases(cases: Case[] | undefined, segments: Segments, taken: Set<string>): void {
    cases?.forEach((c, i) => {
      if (taken.has(c.name)) this.at([...segments, i, "name"], "duplicate-case", `case '${c.name}' is defined twice`, "give each case a unique name");
      taken.add(c.name);
      this.duration(c.timeout, [...segments, i, "timeout"]);
      this.duration(c.expect?.max_latency, [...segments, i, "expect", "max_latency"]);
      this.regex(c.expect?.stdout?.regex, [...segments, i, "expect", "stdout", "regex"]);
      c.expect?.stderr_not?.forEach((p, j) => {
        this.regex(p, [...segments, i, "expect", "stderr_not", j]);
      });
    });
  }

  /** The keys of an `expect` map name profiles (or `default`). */
  profileRefs(expect: Record<string, unknown> | undefined, segments: Segments): void {
    const profileNames = this.profileNames;
    for (const name of Object.keys(expect ?? {})) {
      if (name === "default" || profileNames.includes(name)) continue;
      const guess = didYouMean(name, [...profileNames, "default"]);
      this.at(
        [...segments, name],
        "unknown-profile",
        `no profile named '${name}'`,
        `${guess ? `did you mean '${guess}'? ` : ""}profiles: ${["default", ...profileNames].join(", ")}`,
        true,
      );
    }
  }

  backendRef(name: string, segments: Segments, what: string): void {
    if (this.backendSet.has(name)) return;
    const guess = didYouMean(name, this.backendNames);
    this.at(
      segments,
      "unknown-backend",
      `${what} '${name}' is not a backend in this manifest`,
      `${guess ? `did you mean '${guess}'? ` : ""}backends: ${this.backendNames.join(", ")}`,
    );
  }
}

/** The defaults' durations, patterns and cases; returns the default cases' names (every backend that runs them has them). */
function checkDefaults(check: Checker, d: NonNullable<Manifest["defaults"]>): Set<string> {
  for (const key of ["timeout", "kill_grace", "probe_timeout", "gate_idle"] as const) check.duration(d[key], ["defaults", key]);
  d.crash_patterns?.forEach((p, i) => {
    check.regex(p, ["defaults", "crash_patterns", i]);
  });
  d.gate_patterns?.forEach((p, i) => {
    check.regex(p, ["defaults", "gate_patterns", i]);
  });
  const defaultCaseNames = new Set<string>();
  check.cases(d.cases, ["defaults", "cases"], defaultCaseNames);
  return defaultCaseNames;
}

/** A backend's durations, cases, profile references, patterns, version lock and alias_of. */
function checkBackend(check: Checker, name: string, backend: Backend, defaultCaseNames: Set<string>): void {
  const seg: Segments = ["backends", name];
  check.duration(backend.timeout, [...seg, "timeout"]);
  check.cases(backend.cases, [...seg, "cases"], backend.skip_default_cases ? new Set() : new Set(defaultCaseNames));
  check.profileRefs(backend.expect, [...seg, "expect"]);
  backend.failures?.forEach((f, i) => {
    check.regex(f.pattern, [...seg, "failures", i, "pattern"]);
  });
  backend.output?.banner_patterns?.forEach((p, i) => {
    check.regex(p, [...seg, "output", "banner_patterns", i]);
  });
  check.regex(backend.version?.pattern, [...seg, "version", "pattern"]);
  check.regex(backend.requires?.auth_command?.ok_pattern, [...seg, "requires", "auth_command", "ok_pattern"]);
  check.regex(backend.requires?.auth_command?.fail_pattern, [...seg, "requires", "auth_command", "fail_pattern"]);
  const lock = backend.version?.lock;
  if (lock !== undefined && semver.validRange(lock) === null) {
    check.at([...seg, "version", "lock"], "bad-semver", `'${lock}' is neither a version nor a semver range`, "write e.g. 0.169.0, ^2.1.0 or >=0.60 <0.70");
  }
  if (backend.alias_of !== undefined) {
    if (backend.alias_of === name) check.at([...seg, "alias_of"], "alias-cycle", `'${name}' is an alias of itself`, "point alias_of at another backend");
    else check.backendRef(backend.alias_of, [...seg, "alias_of"], "alias_of target");
  }
}

/** How the backend runs: argv or wrapper (not both), no dead alternative to the argv's program, a wrapper that exists. */
function checkInvocation(check: Checker, name: string, backend: Backend): void {
  const seg: Segments = ["backends", name];
  if (backend.invoke?.argv && backend.invoke.wrapper) {
    check.at(
      [...seg, "invoke"],
      "invoke-conflict",
      "invoke has both `argv` and `wrapper`",
      "keep one: argv runs the CLI directly, wrapper runs an executable script",
    );
  }
  // The argv's program is what runs: an alternative to it in requires.binaries could only make preflight find a
  // binary that is never run (and judge the backend by it: "auth" for a CLI that is not installed).
  const invoke = backend.invoke ?? (backend.alias_of !== undefined ? check.manifest.backends[backend.alias_of]?.invoke : undefined);
  const program = invoke?.argv?.[0];
  backend.requires?.binaries?.forEach((item, i) => {
    if (program === undefined || !Array.isArray(item) || item.length < 2 || !item.includes(program)) return;
    const others = item.filter((name) => name !== program);
    check.at(
      [...seg, "requires", "binaries", i],
      "dead-alternative",
      `${others.join(", ")} ${others.length === 1 ? "is listed as an alternative" : "are listed as alternatives"} to '${program}', but invoke.argv always runs '${program}'`,
      `list only ${program} (the argv's program is always checked); to run through ${others[0]}, make it the program: invoke.argv: [${others[0]}, …]`,
    );
  });
  const wrapper = backend.invoke?.wrapper;
  if (wrapper !== undefined) {
    const problem = executableProblem(resolveWrapper(wrapper, check.baseDir));
    if (problem)
      check.at(
        [...seg, "invoke", "wrapper"],
        "missing-wrapper",
        `wrapper '${wrapper}' ${problem}`,
        problem === "is not executable"
          ? `chmod +x ${wrapper}`
          : `create it (copy backends/_template/run) or fix the path; it is relative to ${check.loaded.file} (or to mittelo's own backends/)`,
      );
  } else if (!backend.invoke?.argv && backend.alias_of === undefined) {
    const implicit = `backends/${name}/run`;
    if (executableProblem(resolveWrapper(implicit, check.baseDir))) {
      check.at(
        seg,
        "no-invocation",
        `backend '${name}' has no invoke.argv, no invoke.wrapper and no ${implicit}`,
        `add invoke.argv, or create ${implicit} (copy backends/_template/run)`,
        true,
      );
    }
  }
}

/** Every alias_of cycle, once, in one pass (each backend is walked at most once, whatever the chains' lengths). */
function aliasCycles(loaded: LoadedManifest, backends: Record<string, Backend>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const state = new Map<string, "walking" | "done">();
  for (const start of Object.keys(backends)) {
    const chain: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && backends[current]?.alias_of !== undefined && !state.has(current)) {
      state.set(current, "walking");
      chain.push(current);
      current = backends[current]?.alias_of;
    }
    if (current !== undefined && state.get(current) === "walking") {
      const cycle = chain.slice(chain.indexOf(current));
      if (cycle.length > 1) {
        const segments = ["backends", cycle[0] as string, "alias_of"];
        out.push({
          file: loaded.file,
          ...locate(loaded, segments),
          path: formatPath(segments),
          code: "alias-cycle",
          message: `alias cycle: ${[...cycle, cycle[0]].join(" → ")}`,
          hint: "one backend of the cycle must be a real entry without alias_of",
        });
      }
    }
    for (const name of chain) state.set(name, "done");
  }
  return out;
}
