// The hubs sharing a database: each writes its row on start, on a heartbeat, and (debounced) when the workers
// waiting in its long-polls change; a hub is "connected" while its heartbeat is fresh. Rows of hubs gone for an hour
// are removed by the next hub that starts.
import type { HubRecord, Presence } from "../store.ts";
import type { Sql } from "./connect.ts";

export const HEARTBEAT_MS = 2000;
/** A hub whose heartbeat is older than this is not listed (killed, or cut off from the database). */
export const STALE_SECONDS = 10;
const DEBOUNCE_MS = 200;

interface Row {
  hub_id: string;
  listen: string;
  host: string;
  pid: number;
  version: string;
  waiting: string;
  started_at: number;
  seen_ago: number;
}

export class PresenceWriter {
  private current: Presence | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly sql: Sql) {}

  /** Resolves once the first presence is written (later ones are debounced). */
  set(presence: Presence): Promise<void> {
    const first = this.current === undefined;
    this.current = presence;
    if (this.closed) return Promise.resolve();
    if (first) {
      this.heartbeat = setInterval(() => void this.write(), HEARTBEAT_MS);
      this.heartbeat.unref();
      return this.write();
    }
    if (this.debounce) return Promise.resolve();
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.write();
    }, DEBOUNCE_MS);
    this.debounce.unref();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.debounce);
    await this.writing;
    if (this.current) await this.sql`DELETE FROM hubs WHERE hub_id = ${this.current.hubId}`.catch(() => {});
  }

  private write(): Promise<void> {
    const p = this.current;
    if (!p || this.closed) return this.writing;
    // One write at a time, in order; a failure (database away) is retried by the next heartbeat.
    this.writing = this.writing.then(() =>
      this.sql`
        INSERT INTO hubs (hub_id, listen, host, pid, version, waiting, started_at, seen_at)
        VALUES (${p.hubId}, ${p.listen}, ${p.host}, ${p.pid}::int, ${p.version}, ${JSON.stringify(p.waiting)},
          extract(epoch FROM now())::float8, extract(epoch FROM now())::float8)
        ON CONFLICT (hub_id) DO UPDATE SET waiting = excluded.waiting, seen_at = excluded.seen_at`.then(
        () => {},
        () => {},
      ),
    );
    return this.writing;
  }
}

export async function liveHubs(sql: Sql): Promise<HubRecord[]> {
  const rows = await sql<Row[]>`
    SELECT hub_id, listen, host, pid, version, waiting, started_at, extract(epoch FROM now())::float8 - seen_at AS seen_ago
    FROM hubs WHERE seen_at > extract(epoch FROM now())::float8 - ${STALE_SECONDS}::float8 ORDER BY started_at, hub_id`;
  return rows.map((r) => ({
    hubId: r.hub_id,
    listen: r.listen,
    host: r.host,
    pid: r.pid,
    version: r.version,
    waiting: JSON.parse(r.waiting) as string[],
    startedAt: r.started_at,
    seenAgoMs: Math.max(0, r.seen_ago * 1000),
  }));
}

/** Housekeeping at start: forget hubs gone for an hour. */
export async function forgetOldHubs(sql: Sql): Promise<void> {
  await sql`DELETE FROM hubs WHERE seen_at < extract(epoch FROM now())::float8 - 3600`;
}
