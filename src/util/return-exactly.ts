// The "Return exactly:" rule of the deterministic answerers (the echo backend, the model stub, the pair smoke's
// expected answers). One rule, so that what the harness expects is what the fakes answer.

/** The marker, case-insensitive; blank space (newlines too) after it is skipped; the answer is the rest of that line. */
export const RETURN_EXACTLY = /return exactly:\s*([^\r\n]*)/i;

/**
 * The answer a deterministic backend gives: the text after the first "Return exactly:" up to the end of its line,
 * trimmed; the whole prompt, trimmed, when there is no marker or nothing follows it (never an empty answer to a
 * non-empty prompt). backends/echo/echo.mjs applies the same rule (it cannot import TypeScript; a test compares them).
 */
export function returnExactly(prompt: string): string {
  const wanted = RETURN_EXACTLY.exec(prompt)?.[1]?.trim();
  return wanted ? wanted : prompt.trim();
}
