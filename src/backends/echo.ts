import { returnExactly } from "../util/return-exactly.ts";

/** The echo backend's answer: the "Return exactly:" rule (util/return-exactly.ts). Same rule as backends/echo/echo.mjs. */
export function echoAnswer(prompt: string): string {
  return returnExactly(prompt);
}
