// A model call, answered in the stub's current mode: an error status, garbage, a hang, a slow answer or the answer.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AnswerSource, answerFor } from "./answer.ts";
import { parseJson, sendJson } from "./http.ts";
import { errorMessage, errorStatus, garbageBody } from "./modes.ts";
import { structuredAnswer } from "./structured.ts";
import type { Dialect, RequestRecord, StubMode } from "./types.ts";

export interface ModelCall {
  dialect: Dialect;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: Buffer;
  /** Adds fields to the call's request record. */
  set: (fields: Partial<RequestRecord>) => void;
}

export interface ModelCallContext {
  /** The mode now (read once the call is parsed: a mode change applies to the calls that follow). */
  mode: () => StubMode;
  answer: AnswerSource;
  /** Delay before the first byte in `slow` mode. */
  slowMs: number;
  /** Waits `ms` (a wait cut by the stub closing never resolves: its request is destroyed). */
  wait: (ms: number) => Promise<void>;
  /** The stub is closing: a slow answer is not sent. */
  closing: () => boolean;
}

export async function answerModelCall({ dialect, req, res, url, body, set }: ModelCall, ctx: ModelCallContext): Promise<void> {
  const turn = dialect.turn({ method: req.method ?? "GET", url, headers: req.headers, body: parseJson(body), bytes: body.length });
  set({ model: turn.model ?? null });
  const current = ctx.mode();
  if (current === "hang") return;
  const status = errorStatus(current);
  if (status !== undefined) {
    sendJson(res, status, dialect.errorBody(status, errorMessage(status)), status === 429 ? { "retry-after": "1" } : {});
    return;
  }
  if (current === "garbage") {
    res.writeHead(200, { "content-type": turn.stream ? "text/event-stream" : "application/json" });
    res.end(garbageBody(turn.stream));
    return;
  }
  if (current === "slow") {
    await ctx.wait(ctx.slowMs);
    if (res.destroyed || ctx.closing()) return;
  }
  const text = answerFor(ctx.answer, turn.prompt);
  dialect.reply(res, turn, turn.schema === undefined ? text : structuredAnswer(turn.schema, text));
}
