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

/** Handles one stripped, non-blank line; resolves with the reply (never rejects). */
export function handleLine(hub: Hub, session: Session, line: string): Promise<LineOutcome> {
  const parsed = parseRequest(line);
  if (isFailure(parsed)) return Promise.resolve({ reply: formatError(parsed.rawId, parsed.message), close: hub.requiresAuth && !session.authed });
  const { rawId } = parsed;
  return callMethod(hub, session, parsed.method, parsed.params).then(
    (value) => ({ reply: formatResult(rawId, value), close: false }),
    (error: unknown) => failure(hub, session, rawId, error),
  );
}

function failure(hub: Hub, session: Session, rawId: string, error: unknown): LineOutcome {
  const message = error instanceof ProtocolError ? error.message : `internal error: ${messageOf(error)}`;
  // Before a successful auth, any error closes the connection.
  return { reply: formatError(rawId, message), close: hub.requiresAuth && !session.authed };
}
