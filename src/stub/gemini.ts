// Gemini API subset: POST /v1beta/models/{model}:generateContent (JSON) and :streamGenerateContent?alt=sse (SSE data frames).
import type { ServerResponse } from "node:http";
import { chunks, lastUserText, tokens } from "./answer.ts";
import { sendJson, sse, startSse } from "./http.ts";
import type { Dialect, StubRequest, Turn } from "./types.ts";

const CALL = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

const STATUS_NAMES: Record<number, string> = { 401: "UNAUTHENTICATED", 413: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL" };

const QUOTA_FAILURE = {
  "@type": "type.googleapis.com/google.rpc.QuotaFailure",
  violations: [
    { quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier" },
  ],
};

export const gemini: Dialect = {
  name: "gemini",
  matches: (method, url) => method === "POST" && CALL.test(url.pathname),
  turn(request: StubRequest): Turn {
    const m = CALL.exec(request.url.pathname);
    const body = (request.body ?? {}) as { contents?: unknown; generationConfig?: Record<string, unknown> };
    const config = body.generationConfig ?? {};
    const json = config.responseMimeType === "application/json";
    return {
      model: m?.[1] ? decodeURIComponent(m[1]) : undefined,
      stream: m?.[2] === "streamGenerateContent",
      prompt: lastUserText(body.contents),
      ...(json ? { schema: config.responseJsonSchema ?? config.responseSchema ?? {} } : {}),
    };
  },
  reply(res: ServerResponse, turn: Turn, answer: string): void {
    const promptTokenCount = tokens(turn.prompt);
    const candidatesTokenCount = tokens(answer);
    const usageMetadata = { promptTokenCount, candidatesTokenCount, totalTokenCount: promptTokenCount + candidatesTokenCount };
    const frame = (text: string, last: boolean) => ({
      candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0, ...(last ? { finishReason: "STOP" } : {}) }],
      ...(last ? { usageMetadata } : {}),
      modelVersion: turn.model ?? "stub-model",
    });
    if (!turn.stream) {
      sendJson(res, 200, frame(answer, true));
      return;
    }
    startSse(res);
    const parts = chunks(answer);
    parts.forEach((text, i) => {
      sse(res, frame(text, i === parts.length - 1));
    });
    res.end();
  },
  errorBody: (status, message) => ({
    error: {
      code: status,
      message,
      status: STATUS_NAMES[status] ?? "INTERNAL",
      // A daily quota, as the real API reports it: gemini-cli treats it as terminal instead of retrying.
      ...(status === 429 ? { details: [QUOTA_FAILURE] } : {}),
    },
  }),
};
