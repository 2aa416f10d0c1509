// OpenAI Responses API subset (what codex uses): POST /v1/responses streamed as SSE events, or JSON.
import type { ServerResponse } from "node:http";
import { chunks, lastUserText, tokens } from "./answer.ts";
import { sendJson, sse, startSse } from "./http.ts";
import type { Dialect, StubRequest, Turn } from "./types.ts";

let next = 0;

export function openAiError(status: number, message: string): unknown {
  if (status === 401) return { error: { message, type: "invalid_request_error", param: null, code: "invalid_api_key" } };
  if (status === 429) return { error: { message, type: "insufficient_quota", param: null, code: "insufficient_quota" } };
  if (status === 413) return { error: { message, type: "invalid_request_error", param: null, code: "request_too_large" } };
  return { error: { message, type: "server_error", param: null, code: "server_error" } };
}

export const openAiResponses: Dialect = {
  name: "openai-responses",
  matches: (method, url) => method === "POST" && /^(\/v1)?\/responses$/.test(url.pathname),
  turn(request: StubRequest): Turn {
    const body = (request.body ?? {}) as { model?: unknown; stream?: unknown; input?: unknown; text?: { format?: { type?: unknown; schema?: unknown } } };
    const prompt = typeof body.input === "string" ? body.input : lastUserText(body.input);
    const format = body.text?.format;
    const schema = format?.type === "json_schema" ? (format.schema ?? {}) : format?.type === "json_object" ? {} : undefined;
    return {
      model: typeof body.model === "string" ? body.model : undefined,
      stream: body.stream === true,
      prompt,
      ...(schema !== undefined ? { schema } : {}),
    };
  },
  reply(res: ServerResponse, turn: Turn, answer: string): void {
    const n = ++next;
    const id = `resp_stub_${n}`;
    const itemId = `msg_stub_${n}`;
    const model = turn.model ?? "stub-model";
    const created_at = Math.floor(Date.now() / 1000);
    const input_tokens = tokens(turn.prompt);
    const output_tokens = tokens(answer);
    const usage = {
      input_tokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input_tokens + output_tokens,
    };
    const part = { type: "output_text", text: answer, annotations: [] };
    const item = { id: itemId, type: "message", status: "completed", role: "assistant", content: [part] };
    const response = { id, object: "response", created_at, status: "completed", model, output: [item], usage };
    if (!turn.stream) {
      sendJson(res, 200, { ...response, output_text: answer });
      return;
    }
    startSse(res);
    let seq = 0;
    const emit = (type: string, data: Record<string, unknown>) => sse(res, { type, sequence_number: seq++, ...data }, type);
    const pending = { ...response, status: "in_progress", output: [], usage: null };
    emit("response.created", { response: pending });
    emit("response.in_progress", { response: pending });
    emit("response.output_item.added", { output_index: 0, item: { ...item, status: "in_progress", content: [] } });
    emit("response.content_part.added", { item_id: itemId, output_index: 0, content_index: 0, part: { ...part, text: "" } });
    for (const delta of chunks(answer)) emit("response.output_text.delta", { item_id: itemId, output_index: 0, content_index: 0, delta });
    emit("response.output_text.done", { item_id: itemId, output_index: 0, content_index: 0, text: answer });
    emit("response.content_part.done", { item_id: itemId, output_index: 0, content_index: 0, part });
    emit("response.output_item.done", { output_index: 0, item });
    emit("response.completed", { response });
    res.end();
  },
  errorBody: openAiError,
};
