// Several hubs in front of one database: connect to the first that answers, starting from a given one.
import { HubClient, HubUnavailableError } from "./client.ts";
import { type HubEndpoint, urlHost } from "./config.ts";

export const where = (hub: HubEndpoint): string => `${urlHost(hub.host)}:${hub.port}`;

/**
 * Tries `hubs` in order from index `start` (wrapping around), once each; resolves with the first connection and the
 * index of its hub. Rejects with HubUnavailableError naming every hub when none answers; other errors (a wrong
 * token) reject at once.
 */
export async function connectFirst(
  hubs: readonly HubEndpoint[],
  options: { token?: string | undefined; timeoutMs?: number | undefined },
  start = 0,
): Promise<{ client: HubClient; index: number }> {
  const failures: string[] = [];
  let lastError: HubUnavailableError | undefined;
  for (let k = 0; k < hubs.length; k++) {
    const index = (start + k) % hubs.length;
    const hub = hubs[index] as HubEndpoint;
    try {
      return { client: await HubClient.connect({ ...hub, token: options.token, timeoutMs: options.timeoutMs }), index };
    } catch (error) {
      if (!(error instanceof HubUnavailableError)) throw error;
      lastError = error;
      failures.push(where(hub));
    }
  }
  if (hubs.length === 1 && lastError) throw lastError;
  throw new HubUnavailableError(`no hub answers at ${failures.join(", ")} — start one with \`mittelo hub\``, lastError);
}
