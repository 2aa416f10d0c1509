// Per-connection state: authenticated yet, and the fencing tokens of the leases this connection received.

export interface Session {
  authed: boolean;
  /** task_id → lease_seq of leases handed out on this connection (for legacy acks without worker_id). */
  leases: Map<number, number>;
  /** Set when the connection is gone: its long-polls are dropped. */
  closed: boolean;
}

export function newSession(authed: boolean): Session {
  return { authed, leases: new Map(), closed: false };
}
