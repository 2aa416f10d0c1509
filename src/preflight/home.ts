// The HOME every probe of a real CLI sees: MITTELO_SUBPROCESS_HOME when the caller already sandboxes, else a
// throwaway directory (first runs unpack, write config and caches there, never into the real HOME).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface ProbeHome {
  home: string;
  /** Removes the directory when it was created here; a caller's sandbox is left alone. */
  dispose(): void;
}

const XDG = { XDG_CONFIG_HOME: ".config", XDG_DATA_HOME: ".local/share", XDG_CACHE_HOME: ".cache", XDG_STATE_HOME: ".local/state" } as const;

export function probeHome(env: Record<string, string>): ProbeHome {
  const given = env.MITTELO_SUBPROCESS_HOME;
  if (given) return { home: given, dispose: () => {} };
  const home = mkdtempSync(join(tmpdir(), "mittelo-probe-"));
  for (const dir of [...Object.values(XDG), "tmp"]) mkdirSync(join(home, dir), { recursive: true });
  return { home, dispose: () => rmSync(home, { recursive: true, force: true, maxRetries: 3 }) };
}

/** The environment of a probe: the caller's, with HOME, XDG_*, TMPDIR and MITTELO_SUBPROCESS_HOME inside `home`. */
export function probeEnv(env: Record<string, string>, home: string): Record<string, string> {
  const out: Record<string, string> = { ...env, HOME: home, USERPROFILE: home, MITTELO_SUBPROCESS_HOME: home, TMPDIR: join(home, "tmp") };
  for (const [name, dir] of Object.entries(XDG)) out[name] = join(home, dir);
  mkdirSync(out.TMPDIR as string, { recursive: true });
  return out;
}

/** Copies auth files (relative paths) from `fromHome` into `toHome` so an auth probe sees the login the run will see. */
export function copyAuthFiles(files: string[], fromHome: string | undefined, toHome: string): void {
  if (!fromHome || fromHome === toHome) return;
  for (const file of files) {
    const source = join(fromHome, file);
    try {
      if (!statSync(source).isFile()) continue;
      mkdirSync(dirname(join(toHome, file)), { recursive: true });
      copyFileSync(source, join(toHome, file));
    } catch {
      // Not there: nothing to copy.
    }
  }
}
