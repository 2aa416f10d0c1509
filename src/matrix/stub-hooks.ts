// The stub profile: every backend with a `stub` block is pointed at its own model stub (`mittelo stub`),
// so each backend's requests are attributed exactly; the stubs' request logs become artifacts and a summary.
import { join } from "node:path";
import type { UpstreamObserver } from "../backends/upstream.ts";
import type { CaseEndEvent } from "../report/events.ts";
import type { PlannedBackend } from "../manifest/plan-types.ts";
import type { StubServer } from "../stub/server.ts";
import { observeStub } from "../stub/observe.ts";
import type { StubMode } from "../stub/types.ts";
import { type BackendSetup, stubSetup } from "../backends/stub-setup.ts";

export interface StubHooks {
  setupFor: (backend: PlannedBackend) => Promise<BackendSetup | undefined>;
  stubSummary: (backend: string) => CaseEndEvent["stub"];
  /** The model calls a backend's stub got since a mark (see isModelCall). */
  upstreamFor: (backend: string) => UpstreamObserver | undefined;
  close: () => Promise<void>;
}

export function stubHooks(outDir: string, mode: StubMode, redact?: (text: string) => string): StubHooks {
  const stubs = new Map<string, StubServer>();
  return {
    async setupFor(backend) {
      if (!backend.stub) return undefined;
      const { startStub } = await import("../stub/server.ts");
      const stub = await startStub({ mode, log: join(outDir, backend.name, "stub.jsonl"), redact });
      stubs.set(backend.name, stub);
      return stubSetup(backend, stub);
    },
    stubSummary(name) {
      const stub = stubs.get(name);
      if (!stub) return undefined;
      const { requests, endpoints, bytes } = stub.summary();
      return { requests, endpoints, bytes, log: join(outDir, name, "stub.jsonl") };
    },
    upstreamFor(name) {
      const stub = stubs.get(name);
      return stub && observeStub(stub);
    },
    async close() {
      await Promise.all([...stubs.values()].map((s) => s.close()));
    },
  };
}
