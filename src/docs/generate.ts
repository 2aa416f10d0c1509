// The generated docs: file (relative to the manifest's folder) → rendered text. Pure.
import type { MitteloBackendMatrixManifest as Manifest } from "../manifest/schema-types.ts";
import { renderBackendsMd } from "./backends-md.ts";
import { renderVersionLockMd } from "./version-lock-md.ts";

export interface GeneratedDoc {
  file: string;
  content: string;
}

export function generateDocs(manifest: Manifest): GeneratedDoc[] {
  return [
    { file: "docs/BACKENDS.md", content: renderBackendsMd(manifest) },
    { file: "docs/VERSION_LOCK.md", content: renderVersionLockMd(manifest) },
  ];
}
