// docs/VERSION_LOCK.md: every backend's locked version and the date it was last verified.
import { resolveAlias } from "../manifest/plan.ts";
import type { MitteloBackendMatrixManifest as Manifest } from "../manifest/schema-types.ts";
import { code, GENERATED, mdTable } from "./markdown.ts";

export function renderVersionLockMd(manifest: Manifest): string {
  const rows = Object.keys(manifest.backends).map((name) => {
    const b = resolveAlias(manifest, name);
    const v = b.version;
    const via = manifest.backends[name]?.alias_of ? ` (via ${manifest.backends[name]?.alias_of})` : "";
    return [
      name + via,
      v?.package ? code(v.package) : "—",
      v?.lock ? code(v.lock) : "—",
      v?.verified ?? "—",
      v ? code(v.command.join(" ")) : "—",
      b.install ? code(b.install) : "—",
    ];
  });
  return [
    "# Version lock",
    "",
    GENERATED,
    "",
    "The versions each backend is known to work with. `mittelo backend-check` warns `version-drift` when the installed CLI is outside its lock.",
    "",
    mdTable(["backend", "package", "lock", "verified", "version command", "install"], rows),
    "",
  ].join("\n");
}
