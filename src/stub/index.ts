// The model stub's public API: start a server, pick an answer source and a mode.
export { type AnswerSource, answerFor, loadScript } from "./answer.ts";
export { MODE_DESCRIPTIONS, parseMode } from "./modes.ts";
export { DEFAULT_MAX_BODY, type StubOptions, type StubServer, startStub } from "./server.ts";
export { DIALECTS, type DialectName, MODES, type RequestRecord, type StubMode } from "./types.ts";
