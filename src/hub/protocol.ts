// One protocol module for both transports: a line (TCP) or a method + params (REST) → validated dispatch → reply.
import { messageOf } from "../util/errors.ts";
import { ProtocolError } from "./errors.ts";
import type { Hub } from "./hub.ts";
import { checkParams, type MethodCall } from "./params.ts";
import type { Session } from "./session.ts";
import { formatError, formatResult, isFailure, parseRequest } from "./wire.ts";

export interface LineOutcome {
  /** The reply line, without newline. */
  reply: string;
  /** Close the connection after sending (failed auth). */
  close: boolean;
}

/** Validates and runs one method (rejects with ProtocolError). The REST adapter calls this directly. */
export function callMethod(hub: Hub, session: Session, method: string, params: Record<string, unknown>): Promise<unknown> {
  let call: MethodCall;
  try {
    call = checkParams(method, params);
  } catch (error) {
    return Promise.reject(error);
  }
  return hub.call(call.method, call.params, session);
}

/**
 * How handling a request may overlap the next requests of its connection, on a store whose writes overlap
 * (Store.overlapsWrites). A request's write reaches the store before handle() returns, so the writes of a
 * connection reach it in the order of its requests (the store keeps that order: Lane).
 * - "write": one write, and nothing after it (enqueue, ack without `lease`, extend, retry_failed): the next request
 *   may start at once, and share its commit.
 * - "write-first": a write, then maybe more (lease: the long-poll; ack with `lease`): it may start while earlier
 *   "write" requests are pending; the next request waits for it.
 * - "alone": everything before it is answered first, and the next request waits for it (reads, auth, …).
 */
export type Overlap = "write" | "write-first" | "alone";

/** A line read: how its handling may overlap its neighbours', and the handling itself. */
export interface ReadLine {
  overlap: Overlap;
  /** Handles the line; resolves with the reply (never rejects). */
  handle(hub: Hub, session: Session): Promise<LineOutcome>;
}

/** Reads one stripped, non-blank line. */
export function readLine(line: string): ReadLine {
  const parsed = parseRequest(line);
  if (isFailure(parsed)) {
    return {
      overlap: "alone",
      handle: (hub, session) => Promise.resolve({ reply: formatError(parsed.rawId, parsed.message), close: hub.requiresAuth && !session.authed }),
    };
  }
  const { rawId, method, params } = parsed;
  return {
    overlap: overlapOf(method, params),
    handle: (hub, session) =>
      callMethod(hub, session, method, params).then(
        (value) => ({ reply: formatResult(rawId, value), close: false }),
        (error: unknown) => failure(hub, session, rawId, error),
      ),
  };
}

function overlapOf(method: string, params: Record<string, unknown>): Overlap {
  switch (method) {
    case "enqueue":
    case "extend":
    case "retry_failed":
      return "write";
    case "ack":
      return params.lease === undefined ? "write" : "write-first";
    case "lease":
      return "write-first";
    default:
      return "alone";
  }
}

function failure(hub: Hub, session: Session, rawId: string, error: unknown): LineOutcome {
  const message = error instanceof ProtocolError ? error.message : `internal error: ${messageOf(error)}`;
  // Before a successful auth, any error closes the connection.
  return { reply: formatError(rawId, message), close: hub.requiresAuth && !session.authed };
}
