// Platform and CPU architecture requirements (Node's process.platform / process.arch).
import type { Requires } from "../manifest/plan-types.ts";
import type { Finding } from "./types.ts";

export function checkPlatform(requires: Requires, platform: string, arch: string): Finding[] {
  const platforms = requires.platform ?? [];
  const arches = requires.arch ?? [];
  const platformOk = platforms.length === 0 || (platforms as string[]).includes(platform);
  const archOk = arches.length === 0 || (arches as string[]).includes(arch);
  if (platformOk && archOk) return [];
  const needs = [platforms.length ? platforms.join("|") : "any", arches.length ? arches.join("|") : "any"].join("/");
  return [
    {
      code: "platform",
      severity: "fail",
      message: `runs only on ${needs}; this machine is ${platform}/${arch}`,
      evidence: `process.platform=${platform} process.arch=${arch}; requires ${needs}`,
      hint: `run this backend on ${needs}; elsewhere its cases are SKIPped (platform)`,
    },
  ];
}
