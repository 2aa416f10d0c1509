// WAL checkpoints run in a worker thread, never inside the hub's commits (they held its lease+ack tail: one commit in a
// few hundred waited for an fsync of the database file).
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { SqliteStore } from "../../src/hub/store/sqlite/store.ts";
import { until } from "../helpers/poll.ts";

const writeTasks = async (store: SqliteStore, count: number, bytes: number) => {
  const written: Promise<number>[] = [];
  for (let i = 0; i < count; i++) written.push(store.enqueue({ prompt: `${i} ${"x".repeat(bytes)}` }));
  await Promise.all(written);
  await new Promise<void>((resolve) => store.afterCommit(() => resolve()));
};

t.test("the hub's connection never checkpoints; a worker does, below SQLite's 1,000-page threshold", async (t) => {
  const path = join(t.testdir(), "hub.db");
  const store = SqliteStore.open(path);
  t.teardown(() => store.close());
  t.equal(store.db.pragma("wal_autocheckpoint", { simple: true }), 0, "no checkpoint inside the hub's COMMIT");
  const before = statSync(path).size;
  // About 300 pages of prompts: the automatic checkpoint (at 1,000 pages) would not copy them into the database file.
  await writeTasks(store, 100, 12_000);
  t.ok(statSync(`${path}-wal`).size > 1_000_000, "the writes are in the WAL");
  t.ok(await until(() => statSync(path).size > before + 1_000_000, 20_000), "the worker copied them into the database file");
});

t.test("close stops the worker; the hub's connection, closed last, checkpoints and removes the WAL", async (t) => {
  const path = join(t.testdir(), "hub.db");
  const store = SqliteStore.open(path);
  await writeTasks(store, 50, 1000);
  await store.close();
  t.notOk(existsSync(`${path}-wal`), "no WAL left");
  const again = SqliteStore.open(path);
  t.same(await again.stats(), { queued: 50, leased: 0, done: 0, failed: 0 });
  await again.close();
});

t.test(":memory: has no WAL and no worker", async (t) => {
  const store = SqliteStore.open(":memory:");
  await writeTasks(store, 3, 10);
  t.same((await store.stats()).queued, 3);
  await store.close();
});
