import { validatorFor } from "../util/ajv.ts";
import "../util/precompiled/matrix.ts";
import { type Diagnostic, formatPath } from "./diagnostic.ts";
import type { LoadedManifest } from "./load.ts";
import { locate } from "./load.ts";
import { schemaDiagnostics } from "./schema-errors.ts";
import { type Segments, semanticDiagnostics } from "./semantic.ts";
import type { MitteloBackendMatrixManifest as Manifest } from "./schema-types.ts";

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
