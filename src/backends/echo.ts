/** The echo backend's answer: the text after "Return exactly:" when present, otherwise the prompt. Same rule as backends/echo/run. */
export function echoAnswer(prompt: string): string {
  const match = /return exactly:\s*([\s\S]*)$/i.exec(prompt.trim());
  return (match ? (match[1] ?? "") : prompt).trim();
}
