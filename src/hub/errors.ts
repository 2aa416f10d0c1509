// A request the hub refuses: the message goes into the error reply; the kind picks the REST status code.

export type ProtocolErrorKind = "invalid" | "unauthorized" | "not_found" | "conflict" | "too_large" | "unavailable";

export const HTTP_STATUS: Record<ProtocolErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unavailable: 503,
};

export class ProtocolError extends Error {
  readonly kind: ProtocolErrorKind;
  constructor(kind: ProtocolErrorKind, message: string) {
    super(message);
    this.name = "ProtocolError";
    this.kind = kind;
  }
}
