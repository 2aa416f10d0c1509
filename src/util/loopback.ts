import { createServer, isIP } from "node:net";
import { messageOf } from "./errors.ts";

export type LoopbackProbe = { ok: true; port: number } | { ok: false; error: string };

/** Listens on `host` port 0 and closes again: the port it got, or why it could not. */
export function probeLoopback(host = "127.0.0.1"): Promise<LoopbackProbe> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error) => resolve({ ok: false, error: messageOf(error) }));
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve({ ok: true, port }));
    });
  });
}

/** Whether a TCP server can listen on 127.0.0.1 (port 0). */
export async function canBindLoopback(host = "127.0.0.1"): Promise<boolean> {
  return (await probeLoopback(host)).ok;
}

/** Whether a listen address stays on this machine: localhost, ::1, or 127.x.x.x. */
export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}
