// The route table: model calls per dialect, the plumbing requests CLIs send around them, and the 404 for the rest.
import type { ServerResponse } from "node:http";
import { anthropic } from "./anthropic.ts";
import { gemini } from "./gemini.ts";
import { sendJson } from "./http.ts";
import { openAiChat } from "./openai-chat.ts";
import { openAiResponses } from "./openai-responses.ts";
import type { Dialect, DialectName } from "./types.ts";

export const dialects: Dialect[] = [anthropic, openAiResponses, openAiChat, gemini];

/** A request that is not a model call but must be answered for the CLI to proceed. Modes do not apply to it. */
export interface Plumbing {
  dialect: DialectName | null;
  note?: string;
  answer(res: ServerResponse): void;
}

export function findPlumbing(method: string, url: URL, upgrade: string | undefined): Plumbing | undefined {
  // claude checks connectivity with HEAD / before its first call.
  if ((method === "HEAD" || method === "GET") && url.pathname === "/" && !upgrade)
    return { dialect: "anthropic", answer: (res) => sendJson(res, 200, { ok: true, server: "mittelo stub" }) };
  // codex tries a WebSocket first; 426 makes it fall back to HTTP streaming.
  if (method === "GET" && /^(\/v1)?\/responses$/.test(url.pathname))
    return {
      dialect: "openai-responses",
      note: upgrade ? "websocket" : undefined,
      answer: (res) =>
        sendJson(res, 426, {
          error: { message: "mittelo stub: WebSocket is not supported, use HTTP POST", type: "invalid_request_error", code: "upgrade_required" },
        }),
    };
  return undefined;
}

/** 404 naming the route, so a new CLI version's new endpoint is obvious in its output and in the log. */
export function notFound(res: ServerResponse, method: string, path: string): void {
  sendJson(res, 404, {
    error: {
      type: "not_found_error",
      code: 404,
      message: `mittelo stub: no route for ${method} ${path}`,
      route: `${method} ${path}`,
      supported: [
        "HEAD /",
        "POST /v1/messages",
        "POST /v1/responses",
        "GET /v1/responses (426)",
        "POST /v1/chat/completions",
        "POST /v1beta/models/{model}:generateContent",
        "POST /v1beta/models/{model}:streamGenerateContent",
      ],
    },
  });
}
