// Manifest → Plan: a pure function. Applies defaults, aliases, the active profile and the command-line filters.
import { resolve } from "node:path";
import { MitteloError } from "../util/errors.ts";
import { parseBytes, parseDuration } from "../util/units.ts";
import { DEFAULTS } from "./defaults.ts";
import { folderBackend, type Inherited, manifestBackend, overridePrompt } from "./plan-backend.ts";
import type { Excluded, Outcome, Plan, PlannedBackend, PlannedPair, PlanSettings } from "./plan-types.ts";
import { didYouMean } from "./schema-errors.ts";
import type { Backend, MitteloBackendMatrixManifest as Manifest } from "./schema-types.ts";

/** A backends/<name>/run found on disk. */
export interface DiscoveredBackend {
  name: string;
  wrapper: string;
}

/** A folder that looks like a backend (it has a `run` file) but is not one, and why: reported, never dropped silently. */
export interface IgnoredFolder {
  name: string;
  folder: string;
  why: string;
}

export interface PlanOptions {
  profile?: string;
  include?: string[];
  exclude?: string[];
  concurrency?: number;
  timeoutMs?: number;
  prompt?: string;
  runOnWarn?: boolean;
  stub?: boolean;
  /** Every case runs this many times (`--repeat`, default 1). */
  repeat?: number;
  /** Leave out (with the reason) backends that have no case: the matrix runs cases; an agent needs none. */
  requireCases?: boolean;
}

export interface PlanSource {
  file: string;
  dir: string;
  hash: string;
  discovered: DiscoveredBackend[];
  /** Lines of the backends' keys and of the smoke pairs in the manifest, for CI annotations. */
  lines?: { backends: Record<string, number>; pairs: number[] };
  /** Folders with a `run` file that are not backends (bad name, not executable), listed as not planned. */
  ignored?: IgnoredFolder[];
  /** Absolute path of a wrapper the manifest names (default: relative to `dir`). */
  resolveWrapper?: (path: string) => string;
}

const ms = (value: number | string | undefined, fallback: number | string): number => parseDuration(value ?? fallback) ?? (parseDuration(fallback) as number);

/** Resolves `alias_of` chains: the alias's own fields override its target's; env maps merge. Iterative and memoized. */
export function resolveAlias(manifest: Manifest, name: string, memo = new Map<string, Backend>()): Backend {
  const chain: string[] = [];
  const inChain = new Set<string>();
  let current = name;
  while (!memo.has(current)) {
    const entry = manifest.backends[current];
    if (!entry) throw new MitteloError("unknown-backend", `no backend named '${current}'`);
    if (entry.alias_of === undefined) {
      memo.set(current, entry);
      break;
    }
    if (inChain.has(current)) throw new MitteloError("alias-cycle", `alias cycle through '${current}'`);
    chain.push(current);
    inChain.add(current);
    current = entry.alias_of;
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const alias = chain[i] as string;
    const entry = manifest.backends[alias] as Backend;
    const target = memo.get(entry.alias_of as string) as Backend;
    const { alias_of: _ignored, ...own } = entry;
    memo.set(alias, {
      ...target,
      ...own,
      env: { ...target.env, ...own.env },
      requires: own.requires ?? target.requires,
      invoke: own.invoke ?? target.invoke ?? { wrapper: `backends/${entry.alias_of}/run` },
    });
  }
  return memo.get(name) as Backend;
}

export function buildPlan(manifest: Manifest, source: PlanSource, options: PlanOptions = {}): Plan {
  const profileName = options.profile;
  const profile = activeProfile(manifest, source, profileName);
  const d = manifest.defaults ?? {};
  const settings = planSettings(manifest, profile, options);
  checkNamedBackends(manifest, source, options);
  const include = options.include?.length ? options.include : profile?.include;
  const exclude = new Set([...(options.exclude ?? []), ...(profile?.exclude ?? [])]);
  const excluded: Plan["excluded"] = [];
  const inherited: Inherited = {
    defaultCases: (d.cases ?? []).map((c) => (options.prompt === undefined ? c : overridePrompt(c, options.prompt))),
    expectedFor: (own) => (profileName ? own?.[profileName] : undefined) ?? profile?.expect ?? own?.default ?? d.expect ?? (DEFAULTS.expect as Outcome),
    timeoutFor: (backendTimeout, c) => options.timeoutMs ?? ms(c?.timeout ?? backendTimeout ?? profile?.timeout ?? d.timeout, DEFAULTS.timeout),
    wrapperOf: (path) => source.resolveWrapper?.(path) ?? resolve(source.dir, path),
  };

  const backends: PlannedBackend[] = [];
  const consider = (name: string, make: () => PlannedBackend, enabled = true) => {
    if (!enabled) excluded.push({ kind: "backend", name, why: "enabled: false in the manifest" });
    else if (include && !include.includes(name)) excluded.push({ kind: "backend", name, why: "not in --include / profile include" });
    else if (exclude.has(name)) excluded.push({ kind: "backend", name, why: "excluded by --exclude / profile exclude" });
    else {
      const backend = make();
      if (options.requireCases && backend.cases.length === 0) excluded.push({ kind: "backend", name, why: noCaseWhy(backend, manifest) });
      else backends.push(backend);
    }
  };
  const resolved = new Map<string, Backend>();
  for (const name of Object.keys(manifest.backends).sort()) {
    const entry = resolveAlias(manifest, name, resolved);
    consider(name, () => manifestBackend(manifest, name, entry, source.lines?.backends[name], inherited), entry.enabled ?? true);
  }
  for (const found of source.discovered) {
    if (!manifest.backends[found.name]) consider(found.name, () => folderBackend(found, inherited));
  }
  backends.sort((a, b) => a.name.localeCompare(b.name));
  for (const folder of source.ignored ?? []) excluded.push({ kind: "folder", name: folder.folder, why: folder.why });
  const pairs = planPairs(manifest, source, backends, excluded, inherited.expectedFor);
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new MitteloError("bad-flag", `--repeat must be a whole number >= 1, got '${options.repeat}'`);

  return {
    manifestFile: source.file,
    manifestDir: source.dir,
    manifestHash: source.hash,
    profile: profileName,
    settings,
    backends,
    excluded,
    pairs,
    repeat,
  };
}

type Profile = NonNullable<Manifest["profiles"]>[string];

/** The profile named by --profile (none for `default` or no flag); an unknown name is an error with the names there are. */
function activeProfile(manifest: Manifest, source: PlanSource, profileName: string | undefined): Profile | undefined {
  const profiles = manifest.profiles ?? {};
  if (profileName !== undefined && profileName !== "default" && !profiles[profileName]) {
    const names = Object.keys(profiles);
    const guess = didYouMean(profileName, names);
    throw new MitteloError("unknown-profile", `no profile named '${profileName}' in ${source.file}`, {
      hint: `${guess ? `did you mean '${guess}'? ` : ""}profiles: ${names.join(", ") || "(none)"}`,
    });
  }
  return profileName ? profiles[profileName] : undefined;
}

/** The run's settings: the flags over the profile over the manifest's defaults over mittelo's. */
function planSettings(manifest: Manifest, profile: Profile | undefined, options: PlanOptions): PlanSettings {
  const d = manifest.defaults ?? {};
  return {
    concurrency: options.concurrency ?? profile?.concurrency ?? d.concurrency ?? DEFAULTS.concurrency,
    killGraceMs: ms(d.kill_grace, DEFAULTS.killGrace),
    probeTimeoutMs: ms(profile?.probe_timeout ?? d.probe_timeout, DEFAULTS.probeTimeout),
    gateIdleMs: ms(d.gate_idle, DEFAULTS.gateIdle),
    outputCapBytes: parseBytes(d.output_cap ?? DEFAULTS.outputCap) ?? (parseBytes(DEFAULTS.outputCap) as number),
    sandbox: { home: d.sandbox?.home ?? true, workdir: d.sandbox?.workdir ?? true, copyAuth: d.sandbox?.copy_auth ?? true },
    redactEnv: d.redact_env ?? [],
    crashPatterns: d.crash_patterns ?? [...DEFAULTS.crashPatterns],
    gatePatterns: d.gate_patterns ?? [...DEFAULTS.gatePatterns],
    runOnWarn: options.runOnWarn ?? profile?.run_on_warn ?? false,
    stub: options.stub ?? profile?.stub ?? false,
  };
}

/** Every name given to --include / --exclude is a backend of the manifest or a folder (else: did you mean …?). */
function checkNamedBackends(manifest: Manifest, source: PlanSource, options: PlanOptions): void {
  const known = new Set([...Object.keys(manifest.backends), ...source.discovered.map((b) => b.name)]);
  for (const name of [...(options.include ?? []), ...(options.exclude ?? [])]) {
    if (!known.has(name)) {
      const guess = didYouMean(name, [...known]);
      throw new MitteloError("unknown-backend", `no backend named '${name}'`, {
        hint: `${guess ? `did you mean '${guess}'? ` : ""}backends: ${[...known].sort().join(", ")}`,
      });
    }
  }
}

/** The manifest's smoke pairs: a pair runs only when both its backends are in the plan; otherwise it is left out like a filtered backend. */
function planPairs(
  manifest: Manifest,
  source: PlanSource,
  backends: PlannedBackend[],
  excluded: Plan["excluded"],
  expectedFor: Inherited["expectedFor"],
): PlannedPair[] {
  const smoke = manifest.smoke;
  const planned = new Set(backends.map((b) => b.name));
  const pairs: PlannedPair[] = [];
  for (const [i, p] of (smoke?.pairs ?? []).entries()) {
    const name = p.name ?? `${p.a}-${p.b}`;
    const out = [p.a, p.b].find((b) => !planned.has(b));
    if (out !== undefined) {
      const why = excluded.find((e) => e.kind === "backend" && e.name === out)?.why ?? "not in the plan";
      excluded.push({ kind: "pair", name, why: `backend ${out} is not planned (${why})` });
      continue;
    }
    pairs.push({
      name,
      a: p.a,
      b: p.b,
      tasks: p.tasks ?? smoke?.tasks ?? DEFAULTS.smokeTasks,
      timeoutMs: ms(smoke?.timeout, DEFAULTS.smokeTimeout),
      chaos: p.chaos ?? false,
      expected: expectedFor(p.expect),
      line: source.lines?.pairs[i],
    });
  }
  return pairs;
}

/** How a left-out item is named in --list and summary.md: `codex`, `pair echo-echo`, `folder /x/backends/My`. */
export function excludedLabel(e: Excluded): string {
  return e.kind === "backend" ? e.name : `${e.kind} ${e.name}`;
}

function noCaseWhy(backend: PlannedBackend, manifest: Manifest): string {
  const own = manifest.backends[backend.name];
  if (own?.skip_default_cases) return "no case to run: it sets skip_default_cases and declares no cases";
  if (backend.source === "folder") return "no case to run: a folder backend runs the default cases, and defaults.cases is empty";
  return "no case to run: defaults.cases is empty and it declares no cases";
}
