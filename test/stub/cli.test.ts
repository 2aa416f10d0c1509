// `mittelo stub` as a real process: prints its URL, serves, stops cleanly on SIGTERM; bad options exit 2.
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import t from "tap";
import { answerOf, post, requestFor } from "../fixtures/stub/helpers.ts";

const bin = fileURLToPath(new URL("../../bin/mittelo.mjs", import.meta.url));

t.test("--print-url, answer with --reply, stop on SIGTERM with exit 0", async (t) => {
  const child = execa("node", [bin, "stub", "--print-url", "--reply", "fixed answer", "--mode", "ok"], {
    reject: false,
    timeout: 30_000,
    forceKillAfterDelay: false,
  });
  t.teardown(() => {
    child.kill("SIGKILL");
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^MITTELO_STUB (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    let err = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("exit", () => reject(new Error(`exited before printing its URL: ${out} ${err}`)));
  });
  const { path, body } = requestFor("openai-responses", "Return exactly: ignored", true);
  t.equal(answerOf("openai-responses", true, await (await post(url + path, body)).text()), "fixed answer");
  child.kill("SIGTERM");
  const result = await child;
  t.equal(result.exitCode, 0);
  t.match(result.stderr, /stopped after 1 requests/);
});

t.test("an unknown mode and conflicting answer sources exit 2 with a hint", async (t) => {
  const bad = await execa("node", [bin, "stub", "--mode", "flaky"], { reject: false, timeout: 30_000 });
  t.equal(bad.exitCode, 2);
  t.match(bad.stderr, /unknown stub mode "flaky"/);
  t.match(bad.stderr, /hint: use one of: ok, 401, 429, 500, slow, hang, garbage/);
  const both = await execa("node", [bin, "stub", "--echo", "--reply", "x"], { reject: false, timeout: 30_000 });
  t.equal(both.exitCode, 2);
  t.match(both.stderr, /exclude each other/);
});
