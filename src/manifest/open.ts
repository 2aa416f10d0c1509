// The edge that turns a manifest path and options into a Plan: read, validate, discover folders, resolve.
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import type { Diagnostic } from "./diagnostic.ts";
import { backendRoots, discoverFolders } from "./discover.ts";
import { EXIT_USAGE, MitteloError } from "../util/errors.ts";
import { locate } from "./load.ts";
import { buildPlan, type PlanOptions } from "./plan.ts";
import type { Plan } from "./plan-types.ts";
import { readManifest } from "./read.ts";
import { resolveWrapper } from "./wrapper-path.ts";

export class ManifestInvalidError extends MitteloError {
  /** The problems, with file:line:col (for CI annotations). */
  readonly diagnostics: readonly Diagnostic[];
  constructor(report: string, diagnostics: readonly Diagnostic[] = []) {
    super("manifest-invalid", "the manifest has errors; fix them and run again (`mittelo validate` checks it alone)", { exitCode: EXIT_USAGE, detail: report });
    this.diagnostics = diagnostics;
  }
}

/** Reads, validates and plans. Throws ManifestInvalidError (with the rendered diagnostics) or MitteloError. */
export async function openPlan(file: string, options: PlanOptions, env: Readonly<Record<string, string | undefined>>): Promise<Plan> {
  const result = await readManifest(file);
  if (!result.ok) throw new ManifestInvalidError(result.report, result.diagnostics);
  const dir = dirname(result.loaded.file);
  const hash = createHash("sha256").update(result.loaded.source).digest("hex");
  const { backends: discovered, ignored } = discoverFolders(backendRoots(dir, env));
  const line = (segments: Array<string | number>, key = false) => locate(result.loaded, segments, { key }).line;
  const lines = {
    backends: Object.fromEntries(Object.keys(result.manifest.backends).map((name) => [name, line(["backends", name], true)])),
    pairs: (result.manifest.smoke?.pairs ?? []).map((_, i) => line(["smoke", "pairs", i])),
  };
  return buildPlan(
    result.manifest,
    { file: result.loaded.file, dir, hash, discovered, ignored, lines, resolveWrapper: (path) => resolveWrapper(path, dir) },
    options,
  );
}
