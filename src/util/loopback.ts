import { createServer, isIP } from "node:net";

/** Whether a TCP server can listen on 127.0.0.1 (port 0). */
export function canBindLoopback(host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(0, host, () => server.close(() => resolve(true)));
  });
}

/** Whether a listen address stays on this machine: localhost, ::1, or 127.x.x.x. */
export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}
