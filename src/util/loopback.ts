import { createServer } from "node:net";

/** Whether a TCP server can listen on 127.0.0.1 (port 0). */
export function canBindLoopback(host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(0, host, () => server.close(() => resolve(true)));
  });
}
