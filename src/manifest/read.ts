import { renderDiagnostics, type Diagnostic } from "./diagnostic.ts";
import { type LoadedManifest, loadManifest } from "./load.ts";
import { type Manifest, validateManifest } from "./validate.ts";

export type ReadResult =
  | { ok: true; manifest: Manifest; loaded: LoadedManifest; warnings: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[]; source?: string; report: string };

/** Loads and validates a manifest; on failure, `report` is the rendered diagnostics. */
export async function readManifest(path: string): Promise<ReadResult> {
  const loaded = await loadManifest(path);
  if (!loaded.ok) return { ok: false, diagnostics: loaded.diagnostics, source: loaded.source, report: renderDiagnostics(loaded.diagnostics, loaded.source) };
  const result = validateManifest(loaded.manifest);
  if (!result.ok) {
    return {
      ok: false,
      diagnostics: result.diagnostics,
      source: loaded.manifest.source,
      report: renderDiagnostics(result.diagnostics, loaded.manifest.source),
    };
  }
  return { ok: true, manifest: result.manifest, loaded: loaded.manifest, warnings: result.warnings };
}
