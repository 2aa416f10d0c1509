// The hub's memory budget: every limit, its default and the flag that sets it, in one place. The transports
// (server.ts, rest.ts) and the reply layer (hub.ts) enforce them; the stores know nothing of them, so they hold the
// same for SQLite and PostgreSQL. docs/PROTOCOL.md ("Limits") and `mittelo hub --help` describe them.

const KiB = 1024;
const MiB = 1024 * KiB;

export interface HubLimits {
  /** TCP connections served at once (--max-connections); more are answered with an error line and closed. */
  maxConnections: number;
  /** With a token: a connection that has not authenticated by then is closed (--auth-timeout). */
  authTimeoutMs: number;
  /** A connection with no request in flight, none received and no lease held for this long is closed (--idle-timeout). */
  idleTimeoutMs: number;
  /** The longest request line, and REST body (--max-line-bytes). A connection never buffers more than this. */
  maxLineBytes: number;
  /** Bytes buffered by all connections together, read and not yet answered (--max-buffered-bytes). */
  maxBufferedBytes: number;
  /** The longest prompt `enqueue` accepts, UTF-8 bytes (--max-prompt-bytes). */
  maxPromptBytes: number;
  /** The longest `result` and `error` an `ack` may carry, as JSON text (--max-result-bytes). */
  maxResultBytes: number;
  /** What one reply may hold (--max-reply-bytes): `list` stops there; a lease hands out at most this / max prompt. */
  maxReplyBytes: number;
}

export const DEFAULT_LIMITS: Readonly<HubLimits> = {
  maxConnections: 1000,
  authTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  maxLineBytes: 8 * MiB,
  maxBufferedBytes: 64 * MiB,
  maxPromptBytes: 1 * MiB,
  maxResultBytes: 1 * MiB,
  maxReplyBytes: 16 * MiB,
};

/** Bytes any connection may always buffer, whatever the others hold: small requests keep flowing under a flood. */
export const CONNECTION_FLOOR_BYTES = 16 * KiB;
/** With a token, the first line (which must be `auth`) may be at most this long. */
export const AUTH_LINE_BYTES = 64 * KiB;
/** `list` cuts prompt, result and error to this many bytes each (with a marker); `get` returns the full text. */
export const LIST_TEXT_BYTES = 1 * KiB;
/** A connection stops answering its next request while this much of its replies is unread by the client. */
export const OUTPUT_HIGH_WATER_BYTES = 1 * MiB;
/** File descriptors kept free for the database, stdio, and the REST adapter's listener. */
export const RESERVED_FDS = 64;

/** Tasks one lease hands out at most, so that its reply stays within maxReplyBytes. */
export function maxTasksPerLease(limits: Pick<HubLimits, "maxReplyBytes" | "maxPromptBytes">): number {
  return Math.max(1, Math.floor(limits.maxReplyBytes / limits.maxPromptBytes));
}

/**
 * The connection cap that fits the process's open-file limit (`ulimit -n`): each connection is one descriptor (two
 * with the REST adapter, which has its own cap of the same size). Returns the cap and, when it was lowered, why.
 */
export function fitConnections(
  wanted: number,
  openFiles: number | undefined,
  options: { rest: boolean; dbPool: number },
): { maxConnections: number; lowered?: string } {
  if (openFiles === undefined) return { maxConnections: wanted };
  const room = Math.floor((openFiles - RESERVED_FDS - options.dbPool) / (options.rest ? 2 : 1));
  if (room >= wanted) return { maxConnections: wanted };
  const maxConnections = Math.max(1, room);
  return { maxConnections, lowered: `--max-connections lowered from ${wanted} to ${maxConnections} to fit the open-file limit (ulimit -n ${openFiles})` };
}
