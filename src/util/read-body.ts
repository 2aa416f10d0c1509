// The one reader of HTTP request bodies (the hub's REST adapter, the model stub): bounded, and optionally counted
// against a shared memory budget so many slow bodies at once cannot exhaust the process.
import type { IncomingMessage } from "node:http";

/** The body is over the limit: by its Content-Length (nothing was read) or while it was read (the rest is not kept). */
export class BodyTooLarge extends Error {
  constructor(
    readonly limit: number,
    /** What was seen: `5000 bytes` (declared) or `more than 4096 bytes` (read). */
    readonly seen: string,
  ) {
    super(seen);
    this.name = "BodyTooLarge";
  }
}

/** A memory budget shared by readers (the hub's ByteBudget): bytes held are counted; a holder over it waits for room. */
export interface BodyBudget {
  change(delta: number): void;
  allows(own: number): boolean;
  wait(ready: () => void): () => void;
}

/**
 * Reads the whole body, rejecting with BodyTooLarge past `limit` bytes. With a `budget`, the bytes read count against
 * it until the body is complete (reading pauses while the budget has no room) and are released when it settles.
 */
export function readBody(req: IncomingMessage, limit: number, budget?: BodyBudget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge(limit, `${declared} bytes`));
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let cancelWait: (() => void) | undefined;
    const settle = (error: Error | undefined) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      cancelWait?.();
      budget?.change(-size);
      if (error) reject(error);
      else resolve(Buffer.concat(parts));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      budget?.change(chunk.length);
      if (size > limit) {
        settle(new BodyTooLarge(limit, `more than ${limit} bytes`));
        return;
      }
      parts.push(chunk);
      if (budget && !budget.allows(size)) {
        req.pause();
        cancelWait = budget.wait(() => {
          cancelWait = undefined;
          req.resume();
        });
      }
    };
    const onEnd = () => settle(undefined);
    const onError = (error: Error) => settle(error);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}
