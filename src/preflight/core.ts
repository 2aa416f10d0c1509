// Core checks for `mittelo doctor`: what the toolkit itself needs (no AI CLI): Node, npm, a loopback port,
// SQLite, a writable reports/ folder. Each returns one CoreCheck; none throws.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import semver from "semver";
import { invoke } from "../backends/invoke.ts";
import { messageOf } from "../util/errors.ts";
import { probeLoopback } from "../util/loopback.ts";

export interface CoreCheck {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  hint?: string;
}

export function checkNode(version = process.versions.node, range = ">=20"): CoreCheck {
  const ok = semver.satisfies(version, range);
  return {
    name: "node",
    status: ok ? "ok" : "fail",
    detail: `Node ${version} (needs ${range})`,
    hint: ok ? undefined : "install Node 20 or newer (https://nodejs.org)",
  };
}

export async function checkNpm(env: Record<string, string>, timeoutMs: number): Promise<CoreCheck> {
  const home = mkdtempSync(join(tmpdir(), "mittelo-doctor-"));
  try {
    const record = await invoke({ argv: ["npm", "--version"], stdin: "", env, cwd: home, timeoutMs, killGraceMs: 300, outputCapBytes: 64 * 1024 });
    const seen = /\d+\.\d+\.\d+/.exec(record.stdout)?.[0];
    if (seen) return { name: "npm", status: "ok", detail: `npm ${seen}` };
    const why = record.spawnError?.message ?? (record.timedOut ? `no answer within ${timeoutMs} ms` : `exit ${record.exitCode}`);
    return { name: "npm", status: "warn", detail: `npm --version: ${why}`, hint: "install npm (it ships with Node) to use npx and the npm-installed CLIs" };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export async function checkLoopback(): Promise<CoreCheck> {
  const probe = await probeLoopback("127.0.0.1");
  return probe.ok
    ? { name: "loopback", status: "ok", detail: `bound 127.0.0.1:${probe.port}` }
    : {
        name: "loopback",
        status: "fail",
        detail: `cannot bind 127.0.0.1: ${probe.error}`,
        hint: "allow binding 127.0.0.1 (the hub and the model stub listen there)",
      };
}

export async function checkSqlite(): Promise<CoreCheck> {
  const dir = mkdtempSync(join(tmpdir(), "mittelo-doctor-"));
  try {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(join(dir, "doctor.db"));
    try {
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      db.exec("CREATE TABLE t (x INTEGER)");
      db.prepare("INSERT INTO t VALUES (?)").run(1);
      const row = db.prepare("SELECT x FROM t").get() as { x: number };
      const version = (db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v;
      return { name: "sqlite", status: row.x === 1 ? "ok" : "fail", detail: `SQLite ${version} opens (journal ${String(mode)})` };
    } finally {
      db.close();
    }
  } catch (error) {
    return {
      name: "sqlite",
      status: "fail",
      detail: `SQLite does not open: ${messageOf(error)}`,
      hint: "npm rebuild better-sqlite3 (needs a C++ toolchain when no prebuilt binary fits)",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function checkWritable(dir: string): CoreCheck {
  const probe = join(dir, `.mittelo-doctor-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "ok\n");
    rmSync(probe, { force: true });
    return { name: "reports", status: "ok", detail: `${dir} is writable` };
  } catch (error) {
    return {
      name: "reports",
      status: "fail",
      detail: `${dir} is not writable: ${messageOf(error)}`,
      hint: `make ${dir} writable, or run from a writable checkout`,
    };
  }
}

export async function coreChecks(options: { env: Record<string, string>; reportsDir: string; timeoutMs: number }): Promise<CoreCheck[]> {
  return Promise.all([
    Promise.resolve(checkNode()),
    checkNpm(options.env, options.timeoutMs),
    checkLoopback(),
    checkSqlite(),
    Promise.resolve(checkWritable(options.reportsDir)),
  ]);
}
