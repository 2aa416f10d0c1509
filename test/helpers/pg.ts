// A throwaway PostgreSQL for tests: one cluster per test file (initdb + pg_ctl in a temp dir, a Unix socket there
// and a free loopback port), a fresh database per test. Or the server of MITTELO_TEST_PG_URL when it is set.
// As root, the cluster runs as the `postgres` OS user. Outside CI a missing PostgreSQL skips (with the reason);
// in CI (CI=true) it is an error, so the PostgreSQL tests cannot silently not run.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import postgres from "postgres";

export interface PgServer {
  /** postgres://… of a database that exists (the maintenance database). */
  adminUrl: string;
  /** A fresh, empty database; dropped when the server stops (or at once for MITTELO_TEST_PG_URL). */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export type PgAvailability = { ok: true; server: PgServer } | { ok: false; reason: string };

const inCi = () => process.env.CI === "true" || process.env.CI === "1";

/** The directory of initdb/pg_ctl: on PATH, else the newest /usr/lib/postgresql/<v>/bin. */
function pgBin(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) if (dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) return dir;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let counter = 0;
const dbName = () => `mittelo_t${process.pid}_${++counter}`;

async function createIn(adminUrl: string, name: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`CREATE DATABASE "${name}" TEMPLATE template0`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The server of MITTELO_TEST_PG_URL: databases are created there and dropped after each use. */
function external(adminUrl: string): PgServer {
  const created: string[] = [];
  return {
    adminUrl,
    async createDatabase() {
      const name = dbName();
      await createIn(adminUrl, name);
      created.push(name);
      return withDatabase(adminUrl, name);
    },
    async stop() {
      const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        for (const name of created.splice(0)) await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
  };
}

/**
 * Starts a cluster of our own (throws when it cannot). Tests turn fsync off (a hub's kill -9 is what they test, not
 * the server's); the benchmark keeps the defaults (`durable`), as a real server would run.
 */
export async function startCluster(options: { durable?: boolean } = {}): Promise<PgServer> {
  const bin = pgBin();
  if (!bin) throw new Error("PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin)");
  return ownCluster(bin, options.durable ?? false);
}

async function ownCluster(bin: string, durable = false): Promise<PgServer> {
  const dir = mkdtempSync(join(tmpdir(), "mittelo-pg-"));
  const root = userInfo().uid === 0;
  const as = (cmd: string, args: string[]) =>
    (root ? ["runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]] : [join(bin, cmd), args]) as [string, string[]];
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = as(cmd, args);
    return execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000, env: { ...process.env, LC_ALL: "C" } });
  };
  if (root) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), Number(execFileSync("id", ["-g", "postgres"]).toString().trim()));
  const data = join(dir, "data");
  let started = false;
  const stopSync = () => {
    if (started) {
      try {
        run("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]);
      } catch {
        // already stopped
      }
      started = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stopSync); // a test file that ends abruptly does not leave a server behind
  try {
    run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"]);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3 && !started; attempt++) {
      const port = await freePort();
      const fast = durable ? "" : " -c fsync=off -c full_page_writes=off";
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200${fast}`;
      try {
        run("pg_ctl", ["start", "-D", data, "-w", "-t", "60", "-l", join(dir, "server.log"), "-o", options]);
        started = true;
        const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
        return {
          adminUrl,
          async createDatabase() {
            const name = dbName();
            await createIn(adminUrl, name);
            return withDatabase(adminUrl, name);
          },
          async stop() {
            process.off("exit", stopSync);
            stopSync();
          },
        };
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  } catch (error) {
    process.off("exit", stopSync);
    stopSync();
    throw error;
  }
}

let shared: Promise<PgAvailability> | undefined;

/**
 * The PostgreSQL of this test file (started on first use; stopped at the end of the file by `stopPg`). In CI a
 * PostgreSQL that cannot be had is an error; elsewhere the result says why it is not available.
 */
export function pgServer(): Promise<PgAvailability> {
  shared ??= (async (): Promise<PgAvailability> => {
    const url = process.env.MITTELO_TEST_PG_URL;
    if (url) return { ok: true, server: external(url) };
    const bin = pgBin();
    if (!bin) {
      const reason =
        "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin); install it (apt-get install postgresql) or set MITTELO_TEST_PG_URL";
      if (inCi()) throw new Error(`the PostgreSQL tests must run in CI: ${reason}`);
      return { ok: false, reason };
    }
    try {
      return { ok: true, server: await ownCluster(bin) };
    } catch (error) {
      const reason = `a throwaway PostgreSQL could not start: ${(error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message}`;
      if (inCi()) throw new Error(`the PostgreSQL tests must run in CI: ${reason}`);
      return { ok: false, reason };
    }
  })();
  return shared;
}

/** Stops this file's PostgreSQL, if one was started. */
export async function stopPg(): Promise<void> {
  const got = await shared?.catch(() => undefined);
  shared = undefined;
  if (got?.ok) await got.server.stop();
}
