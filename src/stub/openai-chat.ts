// OpenAI Chat Completions subset (qwen, copilot): POST /v1/chat/completions, streamed (data: chunks, [DONE]) or JSON.
import type { ServerResponse } from "node:http";
import { chunks, lastUserText, tokens } from "./answer.ts";
import { sendJson, sse, startSse } from "./http.ts";
import { openAiError } from "./openai-responses.ts";
import type { Dialect, StubRequest, Turn } from "./types.ts";

let next = 0;

export const openAiChat: Dialect = {
  name: "openai-chat",
  matches: (method, url) => method === "POST" && /^(\/v1)?\/chat\/completions$/.test(url.pathname),
  turn(request: StubRequest): Turn {
    const body = (request.body ?? {}) as {
      model?: unknown;
      stream?: unknown;
      messages?: unknown;
      response_format?: { type?: unknown; json_schema?: { schema?: unknown } };
    };
    const format = body.response_format;
    const schema = format?.type === "json_schema" ? (format.json_schema?.schema ?? {}) : format?.type === "json_object" ? {} : undefined;
    return {
      model: typeof body.model === "string" ? body.model : undefined,
      stream: body.stream === true,
      prompt: lastUserText(body.messages),
      ...(schema !== undefined ? { schema } : {}),
    };
  },
  reply(res: ServerResponse, turn: Turn, answer: string): void {
    const id = `chatcmpl-stub-${++next}`;
    const model = turn.model ?? "stub-model";
    const created = Math.floor(Date.now() / 1000);
    const prompt_tokens = tokens(turn.prompt);
    const completion_tokens = tokens(answer);
    const usage = { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
    if (!turn.stream) {
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: answer }, finish_reason: "stop" }],
        usage,
      });
      return;
    }
    startSse(res);
    const chunk = (delta: Record<string, unknown>, finish_reason: string | null) =>
      sse(res, { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason }] });
    chunk({ role: "assistant", content: "" }, null);
    for (const content of chunks(answer)) chunk({ content }, null);
    chunk({}, "stop");
    sse(res, { id, object: "chat.completion.chunk", created, model, choices: [], usage });
    sse(res, "[DONE]");
    res.end();
  },
  errorBody: openAiError,
};
