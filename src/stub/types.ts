// Shared shapes of the model stub: modes, dialects, the parsed model call and the request log record.
import type { IncomingMessage, ServerResponse } from "node:http";

export const MODES = ["ok", "401", "429", "500", "slow", "hang", "garbage"] as const;
export type StubMode = (typeof MODES)[number];

export const DIALECTS = ["anthropic", "openai-responses", "openai-chat", "gemini"] as const;
export type DialectName = (typeof DIALECTS)[number];

/** A request as a route sees it: parsed URL and the JSON body (undefined when empty or not JSON). */
export interface StubRequest {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: unknown;
  bytes: number;
}

/** What the stub reads out of a model call. */
export interface Turn {
  model: string | undefined;
  stream: boolean;
  /** The text of the last user message, wrappers (system reminders) removed. */
  prompt: string;
  /** The JSON schema the answer must follow (structured output), when the request asks for JSON. */
  schema?: unknown;
}

/** One API dialect: which calls it owns, how to read them, how to answer and how its errors look. */
export interface Dialect {
  name: DialectName;
  /** True when this dialect owns the model call `method url`. */
  matches(method: string, url: URL): boolean;
  turn(request: StubRequest): Turn;
  /** Writes the successful answer (streamed or JSON, as the turn asked). */
  reply(res: ServerResponse, turn: Turn, answer: string): void;
  /** The dialect's error body for an HTTP status. */
  errorBody(status: number, message: string): unknown;
}

/** One line of the request log. Secret headers and query parameters are redacted before it is built. */
export interface RequestRecord {
  time: string;
  method: string;
  path: string;
  dialect: DialectName | null;
  model: string | null;
  bytes: number;
  status: number | null;
  mode: StubMode;
  ms: number;
  headers: Record<string, string>;
  /** What happened besides a normal answer: `unknown-route`, `too-large`, `aborted` (no answer sent), `websocket`. */
  note?: string;
}
