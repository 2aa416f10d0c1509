// One protocol module for both transports: a line (TCP) or a method + params (REST) → validated dispatch → reply.
import { messageOf } from "../util/errors.ts";
import { ProtocolError } from "./errors.ts";
import type { Hub } from "./hub.ts";
import { checkParams } from "./params.ts";
import type { Session } from "./session.ts";
import { formatError, formatResult, isFailure, parseRequest } from "./wire.ts";

export interface LineOutcome {
  /** The reply line, without newline. */
  reply: string;
  /** Close the connection after sending (failed auth). */
  close: boolean;
}

/** Validates and runs one method (throws ProtocolError). The REST adapter calls this directly. */
export function callMethod(hub: Hub, session: Session, method: string, params: Record<string, unknown>): unknown | Promise<unknown> {
  checkParams(method, params);
  return hub.call(method, params, session);
}

/** Handles one stripped, non-blank line. Synchronous unless the method waits (long-poll lease). Never throws. */
export function handleLine(hub: Hub, session: Session, line: string): LineOutcome | Promise<LineOutcome> {
  const parsed = parseRequest(line);
  if (isFailure(parsed)) return { reply: formatError(parsed.rawId, parsed.message), close: hub.requiresAuth && !session.authed };
  const { rawId } = parsed;
  try {
    const result = callMethod(hub, session, parsed.method, parsed.params);
    if (result instanceof Promise) {
      return result.then(
        (value) => ({ reply: formatResult(rawId, value), close: false }),
        (error: unknown) => failure(hub, session, rawId, error),
      );
    }
    return { reply: formatResult(rawId, result), close: false };
  } catch (error) {
    return failure(hub, session, rawId, error);
  }
}

function failure(hub: Hub, session: Session, rawId: string, error: unknown): LineOutcome {
  const message = error instanceof ProtocolError ? error.message : `internal error: ${messageOf(error)}`;
  // Before a successful auth, any error closes the connection.
  return { reply: formatError(rawId, message), close: hub.requiresAuth && !session.authed };
}
