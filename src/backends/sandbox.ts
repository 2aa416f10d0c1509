// The one sandbox builder, used by the matrix, the agent, the pair smoke's gate, `mittelo exec` and the preflight
// probes. A backend gets:
// - a private folder (mode 0700, under the system temp dir, never inside a report folder) holding its HOME (with the
//   XDG dirs), its TMPDIR and copies of its auth files (files 0600, folders 0700); removed by dispose();
// - a work dir: kept in the report folder when the caller wants what the CLI wrote there (the matrix), else inside
//   the private folder. A kept work dir is scrubbed on dispose: a file holding a credential is redacted (or removed
//   when it is not text), and a symlink leading out of the work dir is removed, so no credential reaches a report.
import { isUtf8 } from "node:buffer";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { makeDir } from "../util/files.ts";
import { type Redactor, secretsInFile } from "../util/redact.ts";

export interface SandboxSpec {
  /** Part of the private folder's name: `mittelo-sandbox-<label>-XXXXXX`. */
  label: string;
  /** Give the backend a HOME of its own; false: the caller's HOME and TMPDIR. */
  home: boolean;
  /** The HOME of an outer sandbox (the caller's MITTELO_SUBPROCESS_HOME): used as it is, nothing copied, never removed. */
  outerHome?: string | undefined;
  /** `keep`: a folder created at this path and kept (the report folder); `use`: an existing folder used as it is
   *  (the caller's cwd); undefined: a folder inside the private one. */
  workdir?: { keep: string } | { use: string } | undefined;
  /** The real HOME auth files are copied from. */
  realHome?: string | undefined;
  /** Auth files, relative to the real HOME, copied into the sandbox HOME. */
  authFiles?: readonly string[] | undefined;
  /** Files written into the sandbox HOME (path relative to HOME → content), e.g. the model stub's settings. */
  homeFiles?: Record<string, string> | undefined;
  /** Where the private folder is made; default: the system temp dir. */
  tmpRoot?: string | undefined;
}

export interface ScrubReport {
  redacted: string[];
  removed: string[];
}

export interface Sandbox {
  /** The HOME the backend sees; undefined: the caller's. */
  home: string | undefined;
  workdir: string;
  /** The private folder (removed by dispose), when one was made. */
  root: string | undefined;
  /** HOME, USERPROFILE, XDG_*, TMPDIR, MITTELO_SUBPROCESS_HOME and MITTELO_SUBPROCESS_WORKDIR for the backend. */
  env: Record<string, string>;
  /** Auth files copied (relative paths). */
  copiedAuth: string[];
  /** The values inside the copied auth files, for the redactor (should a CLI print them). */
  authSecrets: string[];
  /** Removes the private folder; scrubs a kept work dir (with `redact`, also of the secrets it knows). Safe to call twice. */
  dispose(redact?: Redactor): ScrubReport;
}

export const XDG_DIRS = { XDG_CONFIG_HOME: ".config", XDG_DATA_HOME: ".local/share", XDG_CACHE_HOME: ".cache", XDG_STATE_HOME: ".local/state" } as const;

/** The path of `relativePath` inside `base`, or undefined when it would leave `base` (absolute, `..`). */
export function inside(base: string, relativePath: string): string | undefined {
  const root = resolve(base); // HOME may end in a slash
  const target = resolve(root, relativePath);
  return target.startsWith(root === sep ? sep : root + sep) && target !== root ? target : undefined;
}

function writePrivate(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, data, { mode: 0o600 });
}

export function createSandbox(spec: SandboxSpec): Sandbox {
  const ownHome = spec.home && !spec.outerHome;
  const needRoot = ownHome || spec.workdir === undefined;
  const root = needRoot ? mkdtempSync(join(spec.tmpRoot ?? tmpdir(), `mittelo-sandbox-${spec.label.replace(/[^A-Za-z0-9_-]/g, "_")}-`)) : undefined;
  let disposed = false;
  try {
    const env: Record<string, string> = {};
    let home: string | undefined;
    const copiedAuth: string[] = [];
    const authSecrets: string[] = [];
    const authContents: Buffer[] = [];
    if (spec.outerHome && spec.home) home = spec.outerHome;
    else if (ownHome && root) {
      home = join(root, "home");
      for (const dir of Object.values(XDG_DIRS)) mkdirSync(join(home, dir), { recursive: true, mode: 0o700 });
      const tmp = join(root, "tmp");
      mkdirSync(tmp, { mode: 0o700 });
      env.TMPDIR = tmp;
      for (const file of spec.authFiles ?? []) {
        const source = spec.realHome ? inside(spec.realHome, file) : undefined;
        const target = inside(home, file);
        if (!source || !target) continue;
        let data: Buffer;
        try {
          if (!statSync(source).isFile()) continue;
          data = readFileSync(source);
        } catch {
          continue; // an unreadable auth file is the same as none: preflight says so
        }
        writePrivate(target, data);
        copiedAuth.push(file);
        authContents.push(data);
        if (data.length <= 1024 * 1024) authSecrets.push(...secretsInFile(data.toString("utf8")));
      }
    }
    if (home) {
      for (const [relativePath, content] of Object.entries(spec.homeFiles ?? {})) {
        const target = inside(home, relativePath);
        if (target) writePrivate(target, content);
      }
      Object.assign(env, { HOME: home, USERPROFILE: home, MITTELO_SUBPROCESS_HOME: home });
      for (const [name, dir] of Object.entries(XDG_DIRS)) env[name] = join(home, dir);
    }
    const workdir =
      spec.workdir === undefined ? join(root as string, "work") : "keep" in spec.workdir ? makeDir(spec.workdir.keep, "work dir") : resolve(spec.workdir.use);
    if (spec.workdir === undefined) mkdirSync(workdir, { mode: 0o700 });
    env.MITTELO_SUBPROCESS_WORKDIR = workdir;
    const kept = spec.workdir !== undefined && "keep" in spec.workdir;
    return {
      home,
      workdir,
      root,
      env,
      copiedAuth,
      authSecrets,
      dispose(redact) {
        if (disposed) return { redacted: [], removed: [] };
        disposed = true;
        if (root) rmSync(root, { recursive: true, force: true, maxRetries: 3 });
        if (!kept) return { redacted: [], removed: [] };
        const report = scrubWorkdir(workdir, authContents, redact);
        try {
          rmdirSync(workdir); // only when the CLI wrote nothing there: an empty folder tells nobody anything
        } catch {
          // not empty: kept
        }
        return report;
      },
    };
  } catch (error) {
    if (root && !disposed) rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

const SCAN_LIMIT = 64 * 1024 * 1024;
const MAX_ENTRIES = 10_000;

/**
 * Makes a kept work dir safe to publish: a symlink leading out of it is removed; a file holding a copied auth file's
 * content or a known secret is rewritten with `[REDACTED:…]` when it is UTF-8 text, removed otherwise (and files
 * larger than SCAN_LIMIT, which are not read, are removed). Each removal leaves `<name>.removed-by-mittelo.txt`.
 */
export function scrubWorkdir(workdir: string, authContents: readonly Buffer[], redact?: Redactor): ScrubReport {
  const report: ScrubReport = { redacted: [], removed: [] };
  const auth = authContents.filter((c) => c.toString("utf8").trim().length >= 8);
  if (!auth.length && !redact) return report;
  let seen = 0;
  const remove = (path: string, why: string) => {
    rmSync(path, { force: true, recursive: true });
    writeFileSync(`${path}.removed-by-mittelo.txt`, `mittelo removed ${relative(workdir, path)}: ${why}\n`);
    report.removed.push(relative(workdir, path));
  };
  const visit = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (++seen > MAX_ENTRIES) return;
      const path = join(dir, name);
      let stat: ReturnType<typeof lstatSync>;
      try {
        stat = lstatSync(path);
      } catch {
        continue;
      }
      if (stat.isDirectory()) visit(path);
      else if (stat.isSymbolicLink()) {
        const target = resolve(dirname(path), readlinkSync(path));
        if (!target.startsWith(workdir + sep)) remove(path, `a symlink to ${target}, outside the work dir`);
      } else if (!stat.isFile()) remove(path, "not a regular file");
      else if (stat.size > SCAN_LIMIT) remove(path, `larger than ${SCAN_LIMIT} bytes, too large to check for credentials`);
      else scrubFile(path, stat.size);
    }
  };
  const scrubFile = (path: string, size: number) => {
    if (size === 0) return;
    const data = readFileSync(path);
    const text = data.toString("utf8");
    const holdsAuth = auth.some((c) => data.includes(c) || data.includes(Buffer.from(c.toString("utf8").trim())));
    if (!holdsAuth && !redact?.finds(text)) return;
    if (!isUtf8(data)) return remove(path, "it held a credential");
    let clean = text;
    for (const c of auth) clean = clean.split(c.toString("utf8").trim()).join("[REDACTED:auth-file]");
    if (redact) clean = redact(clean);
    writeFileSync(path, clean);
    report.redacted.push(relative(workdir, path));
  };
  visit(workdir);
  return report;
}
