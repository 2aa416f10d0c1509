import { dirname } from "node:path";
import semver from "semver";
import { validatorFor } from "../util/ajv.ts";
import { executableProblem } from "../util/executable.ts";
import "../util/precompiled/matrix.ts";
import { parseDuration } from "../util/units.ts";
import { type Diagnostic, formatPath } from "./diagnostic.ts";
import type { LoadedManifest } from "./load.ts";
import { locate } from "./load.ts";
import { didYouMean, schemaDiagnostics } from "./schema-errors.ts";
import { resolveWrapper } from "./wrapper-path.ts";
import type { Backend, Case, MitteloBackendMatrixManifest as Manifest } from "./schema-types.ts";

export type { Manifest };

/** `warnings`: what is valid but probably not meant (a backend with no case to run); they never fail validation. */
export type ValidationResult = { ok: true; manifest: Manifest; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** Validates a loaded manifest: the JSON Schema first, then the checks a schema cannot express. */
export function validateManifest(loaded: LoadedManifest): ValidationResult {
  const validate = validatorFor("matrix.schema.json");
  if (!validate(loaded.data)) {
    return { ok: false, diagnostics: schemaDiagnostics(loaded, validate.errors ?? []) };
  }
  const manifest = loaded.data as Manifest;
  const diagnostics = semanticDiagnostics(loaded, manifest);
  return diagnostics.length ? { ok: false, diagnostics } : { ok: true, manifest, warnings: caseWarnings(loaded, manifest) };
}

/**
 * Backends with no case: `mittelo matrix` has nothing to run for them (it leaves them out and says why). Valid, since
 * agents and the hub need no case, but worth a word: one for the whole manifest when no backend has a case.
 */
function caseWarnings(loaded: LoadedManifest, manifest: Manifest): Diagnostic[] {
  const warn = (segments: Segments, message: string, hint: string): Diagnostic => ({
    file: loaded.file,
    ...locate(loaded, segments, { key: true }),
    path: formatPath(segments),
    code: "no-cases",
    message,
    hint,
  });
  const defaults = manifest.defaults?.cases?.length ?? 0;
  const memo = new Map<string, CaseCount>();
  const caseless = Object.entries(manifest.backends).filter(([name, backend]) => {
    if (backend.enabled === false) return false;
    const own = casesOf(manifest, name, memo);
    return own.cases === 0 && (own.skipDefaults || defaults === 0);
  });
  if (!caseless.length) return [];
  const hint = "add a case under defaults.cases (every backend runs it) or under the backend's cases (agents and the hub need none)";
  if (caseless.length === Object.keys(manifest.backends).length && defaults === 0) {
    return [warn(["backends"], "no backend has a case: `mittelo matrix` has nothing to run", hint)];
  }
  return caseless.map(([name]) => warn(["backends", name], `backend '${name}' has no case: \`mittelo matrix\` leaves it out`, hint));
}

interface CaseCount {
  cases: number;
  skipDefaults: boolean;
}

/**
 * A backend's own cases and skip_default_cases, following alias_of (the alias's own fields win). Memoised, and walked
 * without recursion: an alias_of chain thousands long costs one step per backend (a cycle is reported elsewhere).
 */
function casesOf(manifest: Manifest, name: string, memo: Map<string, CaseCount>): CaseCount {
  const chain: string[] = [];
  const onChain = new Set<string>();
  let at: string | undefined = name;
  let found: CaseCount = { cases: 0, skipDefaults: false };
  while (at !== undefined && manifest.backends[at]) {
    const known = memo.get(at);
    if (known) {
      found = known;
      break;
    }
    if (onChain.has(at)) break;
    onChain.add(at);
    chain.push(at);
    at = manifest.backends[at]?.alias_of;
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const entry = manifest.backends[chain[i] as string];
    found = { cases: entry?.cases?.length ?? found.cases, skipDefaults: entry?.skip_default_cases ?? found.skipDefaults };
    memo.set(chain[i] as string, found);
  }
  return found;
}

type Segments = Array<string | number>;

function semanticDiagnostics(loaded: LoadedManifest, manifest: Manifest): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (segments: Segments, code: string, message: string, hint?: string, key = false) => {
    out.push({ file: loaded.file, ...locate(loaded, segments, { key }), path: formatPath(segments), code, message, hint });
  };
  const baseDir = dirname(loaded.file);
  const backendNames = Object.keys(manifest.backends);
  const backendSet = new Set(backendNames);
  const profileNames = Object.keys(manifest.profiles ?? {});

  const checkDuration = (value: number | string | undefined, segments: Segments) => {
    if (value === undefined) return;
    const ms = parseDuration(value);
    if (ms === undefined) at(segments, "bad-duration", `'${value}' is not a duration`, "write a number of seconds or e.g. 120s, 1.5m, 500ms");
    else if (ms === 0 && segments.at(-1) === "timeout")
      at(segments, "bad-duration", "a timeout of 0 would stop every run at once", "use a positive duration such as 120s");
  };
  const checkRegex = (pattern: string | undefined, segments: Segments) => {
    if (pattern === undefined) return;
    try {
      new RegExp(pattern, "i");
    } catch (error) {
      at(segments, "bad-regex", `invalid regular expression: ${(error as Error).message}`, "escape special characters such as ( [ { with a backslash");
    }
  };
  const checkCases = (cases: Case[] | undefined, segments: Segments, taken: Set<string>) => {
    cases?.forEach((c, i) => {
      if (taken.has(c.name)) at([...segments, i, "name"], "duplicate-case", `case '${c.name}' is defined twice`, "give each case a unique name");
      taken.add(c.name);
      checkDuration(c.timeout, [...segments, i, "timeout"]);
      checkDuration(c.expect?.max_latency, [...segments, i, "expect", "max_latency"]);
      checkRegex(c.expect?.stdout?.regex, [...segments, i, "expect", "stdout", "regex"]);
      c.expect?.stderr_not?.forEach((p, j) => {
        checkRegex(p, [...segments, i, "expect", "stderr_not", j]);
      });
    });
  };
  const checkProfileRefs = (expect: Record<string, unknown> | undefined, segments: Segments) => {
    for (const name of Object.keys(expect ?? {})) {
      if (name === "default" || profileNames.includes(name)) continue;
      const guess = didYouMean(name, [...profileNames, "default"]);
      at(
        [...segments, name],
        "unknown-profile",
        `no profile named '${name}'`,
        `${guess ? `did you mean '${guess}'? ` : ""}profiles: ${["default", ...profileNames].join(", ")}`,
        true,
      );
    }
  };
  const checkBackendRef = (name: string, segments: Segments, what: string) => {
    if (backendSet.has(name)) return;
    const guess = didYouMean(name, backendNames);
    at(
      segments,
      "unknown-backend",
      `${what} '${name}' is not a backend in this manifest`,
      `${guess ? `did you mean '${guess}'? ` : ""}backends: ${backendNames.join(", ")}`,
    );
  };

  const d = manifest.defaults ?? {};
  for (const key of ["timeout", "kill_grace", "probe_timeout", "gate_idle"] as const) checkDuration(d[key], ["defaults", key]);
  d.crash_patterns?.forEach((p, i) => {
    checkRegex(p, ["defaults", "crash_patterns", i]);
  });
  d.gate_patterns?.forEach((p, i) => {
    checkRegex(p, ["defaults", "gate_patterns", i]);
  });
  const defaultCaseNames = new Set<string>();
  checkCases(d.cases, ["defaults", "cases"], defaultCaseNames);

  for (const [name, profile] of Object.entries(manifest.profiles ?? {})) {
    checkDuration(profile.timeout, ["profiles", name, "timeout"]);
    profile.include?.forEach((b, i) => {
      checkBackendRef(b, ["profiles", name, "include", i], "included backend");
    });
    profile.exclude?.forEach((b, i) => {
      checkBackendRef(b, ["profiles", name, "exclude", i], "excluded backend");
    });
  }

  for (const [name, backend] of Object.entries(manifest.backends)) {
    const seg: Segments = ["backends", name];
    checkDuration(backend.timeout, [...seg, "timeout"]);
    checkCases(backend.cases, [...seg, "cases"], backend.skip_default_cases ? new Set() : new Set(defaultCaseNames));
    checkProfileRefs(backend.expect, [...seg, "expect"]);
    backend.failures?.forEach((f, i) => {
      checkRegex(f.pattern, [...seg, "failures", i, "pattern"]);
    });
    backend.output?.banner_patterns?.forEach((p, i) => {
      checkRegex(p, [...seg, "output", "banner_patterns", i]);
    });
    checkRegex(backend.version?.pattern, [...seg, "version", "pattern"]);
    checkRegex(backend.requires?.auth_command?.ok_pattern, [...seg, "requires", "auth_command", "ok_pattern"]);
    checkRegex(backend.requires?.auth_command?.fail_pattern, [...seg, "requires", "auth_command", "fail_pattern"]);
    const lock = backend.version?.lock;
    if (lock !== undefined && semver.validRange(lock) === null) {
      at([...seg, "version", "lock"], "bad-semver", `'${lock}' is neither a version nor a semver range`, "write e.g. 0.169.0, ^2.1.0 or >=0.60 <0.70");
    }
    if (backend.alias_of !== undefined) {
      if (backend.alias_of === name) at([...seg, "alias_of"], "alias-cycle", `'${name}' is an alias of itself`, "point alias_of at another backend");
      else checkBackendRef(backend.alias_of, [...seg, "alias_of"], "alias_of target");
    }
    if (backend.invoke?.argv && backend.invoke.wrapper) {
      at(
        [...seg, "invoke"],
        "invoke-conflict",
        "invoke has both `argv` and `wrapper`",
        "keep one: argv runs the CLI directly, wrapper runs an executable script",
      );
    }
    // The argv's program is what runs: an alternative to it in requires.binaries could only make preflight find a
    // binary that is never run (and judge the backend by it: "auth" for a CLI that is not installed).
    const invoke = backend.invoke ?? (backend.alias_of !== undefined ? manifest.backends[backend.alias_of]?.invoke : undefined);
    const program = invoke?.argv?.[0];
    backend.requires?.binaries?.forEach((item, i) => {
      if (program === undefined || !Array.isArray(item) || item.length < 2 || !item.includes(program)) return;
      const others = item.filter((name) => name !== program);
      at(
        [...seg, "requires", "binaries", i],
        "dead-alternative",
        `${others.join(", ")} ${others.length === 1 ? "is listed as an alternative" : "are listed as alternatives"} to '${program}', but invoke.argv always runs '${program}'`,
        `list only ${program} (the argv's program is always checked); to run through ${others[0]}, make it the program: invoke.argv: [${others[0]}, …]`,
      );
    });
    const wrapper = backend.invoke?.wrapper;
    if (wrapper !== undefined) {
      const problem = executableProblem(resolveWrapper(wrapper, baseDir));
      if (problem)
        at(
          [...seg, "invoke", "wrapper"],
          "missing-wrapper",
          `wrapper '${wrapper}' ${problem}`,
          problem === "is not executable"
            ? `chmod +x ${wrapper}`
            : `create it (copy backends/_template/run) or fix the path; it is relative to ${loaded.file} (or to mittelo's own backends/)`,
        );
    } else if (!backend.invoke?.argv && backend.alias_of === undefined) {
      const implicit = `backends/${name}/run`;
      if (executableProblem(resolveWrapper(implicit, baseDir))) {
        at(
          seg,
          "no-invocation",
          `backend '${name}' has no invoke.argv, no invoke.wrapper and no ${implicit}`,
          `add invoke.argv, or create ${implicit} (copy backends/_template/run)`,
          true,
        );
      }
    }
  }
  out.push(...aliasCycles(loaded, manifest.backends));

  const smoke = manifest.smoke;
  checkDuration(smoke?.timeout, ["smoke", "timeout"]);
  smoke?.pairs?.forEach((pair, i) => {
    checkBackendRef(pair.a, ["smoke", "pairs", i, "a"], "backend");
    checkBackendRef(pair.b, ["smoke", "pairs", i, "b"], "backend");
    checkProfileRefs(pair.expect, ["smoke", "pairs", i, "expect"]);
  });
  return out;
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
