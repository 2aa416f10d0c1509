// A local service the backend needs (e.g. an ollama server): one GET with a short timeout, loopback only.
import type { Finding } from "./types.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export async function checkUrl(url: string, timeoutMs: number, hint: string | undefined): Promise<Finding[]> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [
      { code: "config", severity: "fail", message: `requires.url is not a URL: ${url}`, evidence: url, hint: "write e.g. http://127.0.0.1:11434/api/version" },
    ];
  }
  if (!LOOPBACK.has(parsed.hostname)) {
    return [{ code: "network", severity: "info", message: `${url} not checked: preflight only probes 127.0.0.1`, evidence: `host ${parsed.hostname}` }];
  }
  try {
    const response = await fetch(parsed, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await response.body?.cancel();
    return [];
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return [
      {
        code: "network",
        severity: "fail",
        message: `${url} does not answer`,
        evidence: `GET ${url}: ${cause === "TimeoutError" ? `no answer within ${timeoutMs} ms` : cause}`,
        hint: hint ?? `start the service that answers at ${parsed.origin}`,
      },
    ];
  }
}
