// Choosing the store with --db / MITTELO_DB: a path is SQLite (created 0600, with 0600 -wal/-shm), postgres:// is
// PostgreSQL, any other scheme is a usage error; files that cannot be a database and unreachable or newer databases
// give one line with the fix and exit 2.
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import t from "tap";
import postgres from "postgres";
import { HubClient } from "../../src/hub/client.ts";
import { parseDbLocation } from "../../src/hub/store/location.ts";
import { spawnCli } from "../helpers/cli.ts";
import { pgServer } from "../helpers/pg.ts";
import { startTestHub, storeTest, tempDir, testDb } from "../fixtures/hub/helpers.ts";

const mode = (path: string) => statSync(path).mode & 0o777;

t.test("the SQLite file and its -wal and -shm files are mode 0600; an existing looser file is tightened", async (t) => {
  const dir = tempDir(t);
  const db = join(dir, "sub", "q.db");
  const hub = await startTestHub(t, { db });
  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.tcp.port });
  await client.call("enqueue", { prompt: "secret prompt" });
  client.close();
  for (const file of [db, `${db}-wal`, `${db}-shm`]) t.equal(mode(file).toString(8), "600", `${file.slice(dir.length)} is 0600`);
  await hub.close();
  chmodSync(db, 0o644);
  const again = await startTestHub(t, { db });
  t.equal(mode(db).toString(8), "600", "reopened: tightened to 0600");
  await again.close();
});

t.test("--db that cannot be a database file: exit 2, one line, nothing created", async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, "adir"));
  const cases: [string, RegExp][] = [
    ["/dev/null", /^mittelo: cannot use \/dev\/null as the hub database: it is not a regular file\n {2}hint: pass a file path/],
    [join(dir, "adir"), /it is a directory\n/],
    ["mysql://u@h/db", /^mittelo: --db: unsupported database scheme "mysql:\/\/"\n {2}hint: use a file path \(SQLite\) or postgres:\/\//],
    ["https://example.invalid/q.db", /unsupported database scheme "https:\/\/"/],
    ["file:///tmp/q.db", /"file:\/\/" URLs are not supported; give the SQLite file as a plain path/],
  ];
  for (const [db, expected] of cases) {
    const r = await spawnCli(["hub", "--port", "0", "--db", db], { cwd: dir });
    t.equal(r.code, 2, `${db}: exit 2`);
    t.match(r.stderr, expected, db);
    t.notMatch(r.stderr, /\n\s+at /, `${db}: no stack trace`);
  }
  const env = await spawnCli(["hub", "--port", "0"], { cwd: dir, env: { MITTELO_DB: "redis://x/0" } });
  t.equal(env.code, 2);
  t.match(env.stderr, /^mittelo: MITTELO_DB: unsupported database scheme "redis:\/\/"/, "MITTELO_DB is named");
  t.same(readdirSync(dir).sort(), ["adir"], "no file or folder named after a URL");
  t.notOk(existsSync(join(dir, "mysql:")));
});

t.test("parseDbLocation: paths, postgres URLs, other schemes", async (t) => {
  t.match(parseDbLocation("q.db"), { kind: "sqlite" });
  t.same(parseDbLocation(":memory:"), { kind: "sqlite", path: ":memory:" });
  t.same(parseDbLocation("postgres://u:pw@h:5432/d"), { kind: "postgres", url: "postgres://u:pw@h:5432/d" });
  t.same(parseDbLocation("postgresql://h/d"), { kind: "postgres", url: "postgresql://h/d" });
  t.match(parseDbLocation("./c:/x"), { kind: "sqlite" }, "a colon without // is a path");
  t.throws(() => parseDbLocation("POSTGRES://"), { code: "usage" });
  t.throws(() => parseDbLocation("sqlite://q.db"), { code: "usage" });
});

t.test("PostgreSQL unreachable, wrong database: one line with the fix, exit 2, the password never shown", async (t) => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const r = await spawnCli(["hub", "--port", "0", "--db", `postgres://mittelo:hunter2@127.0.0.1:${port}/q`]);
  t.equal(r.code, 2);
  t.match(r.stderr, new RegExp(`^mittelo: cannot use the PostgreSQL database postgres://mittelo@127.0.0.1:${port}/q: connection refused`));
  t.match(r.stderr, /\n {2}hint: check the URL in --db \/ MITTELO_DB/);
  t.notMatch(r.stderr, /hunter2/);
  t.notMatch(r.stderr, /\n\s+at /);
  const pg = await pgServer();
  if (!pg.ok) return t.comment(`the wrong-database case needs PostgreSQL: ${pg.reason}`);
  const missing = new URL(pg.server.adminUrl);
  missing.pathname = "/no_such_db";
  const m = await spawnCli(["hub", "--port", "0", "--db", missing.toString()]);
  t.equal(m.code, 2);
  t.match(m.stderr, /database "no_such_db" does not exist\n {2}hint: create it \(`createdb no_such_db`/);
});

storeTest("a database with a newer schema than this mittelo is refused with one line", async (t, store) => {
  const db = await testDb(t);
  const hub = await startTestHub(t, { db });
  await hub.close();
  if (store === "sqlite") {
    const Database = (await import("better-sqlite3")).default;
    const raw = new Database(db);
    raw.pragma("user_version = 99");
    raw.close();
  } else {
    const sql = postgres(db, { max: 1, onnotice: () => {} });
    await sql`INSERT INTO mittelo_schema (version, name) VALUES (99, 'from the future')`;
    await sql.end();
  }
  const r = await spawnCli(["hub", "--port", "0", "--db", db]);
  t.equal(r.code, 2);
  t.match(r.stderr, /^mittelo: the hub database has schema version 99, newer than this mittelo knows \(1\)\n {2}hint: upgrade mittelo/);
});
