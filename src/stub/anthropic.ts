// Anthropic Messages API subset: POST /v1/messages (with or without ?beta=true), streamed SSE or JSON.
import type { ServerResponse } from "node:http";
import { chunks, lastUserText, tokens } from "./answer.ts";
import { sendJson, sse, startSse } from "./http.ts";
import type { Dialect, StubRequest, Turn } from "./types.ts";

let next = 0;

const ERROR_TYPES: Record<number, string> = {
  401: "authentication_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
};

export const anthropic: Dialect = {
  name: "anthropic",
  matches: (method, url) => method === "POST" && url.pathname === "/v1/messages",
  turn(request: StubRequest): Turn {
    const body = (request.body ?? {}) as { model?: unknown; stream?: unknown; messages?: unknown };
    return { model: typeof body.model === "string" ? body.model : undefined, stream: body.stream === true, prompt: lastUserText(body.messages) };
  },
  reply(res: ServerResponse, turn: Turn, answer: string): void {
    const id = `msg_stub_${++next}`;
    const model = turn.model ?? "stub-model";
    const usage = { input_tokens: tokens(turn.prompt), output_tokens: tokens(answer) };
    if (!turn.stream) {
      sendJson(res, 200, {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [{ type: "text", text: answer }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage,
      });
      return;
    }
    startSse(res);
    const message = {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    };
    sse(res, { type: "message_start", message }, "message_start");
    sse(res, { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, "content_block_start");
    for (const text of chunks(answer)) sse(res, { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }, "content_block_delta");
    sse(res, { type: "content_block_stop", index: 0 }, "content_block_stop");
    sse(
      res,
      { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: usage.output_tokens } },
      "message_delta",
    );
    sse(res, { type: "message_stop" }, "message_stop");
    res.end();
  },
  errorBody: (status, message) => ({ type: "error", error: { type: ERROR_TYPES[status] ?? "api_error", message } }),
};
