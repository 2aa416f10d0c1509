import type { Store } from "../store.ts";

export class PostgresStore {
  static open(_url: string, _options: { poolSize?: number | undefined }): Promise<Store> {
    throw new Error("not yet");
  }
}
