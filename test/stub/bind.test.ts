// The stub has no authentication: a non-loopback --host is refused without --allow-insecure-bind, like the hub's.
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import t from "tap";
import { startStub } from "../../src/stub/index.ts";

const bin = fileURLToPath(new URL("../../bin/mittelo.mjs", import.meta.url));

t.test("a non-loopback --host is refused without --allow-insecure-bind (exit 2), like the hub", async (t) => {
  await t.rejects(startStub({ host: "0.0.0.0" }), { code: "stub-insecure-bind", message: /refusing to listen on 0\.0\.0\.0: the stub has no authentication/ });
  const allowed = await startStub({ host: "0.0.0.0", allowInsecureBind: true });
  t.match(allowed.url, /^http:\/\/0\.0\.0\.0:\d+$/);
  await allowed.close();
  const cli = await execa("node", [bin, "stub", "--host", "0.0.0.0"], { reject: false, timeout: 30_000 });
  t.equal(cli.exitCode, 2);
  t.match(cli.stderr, /refusing to listen on 0\.0\.0\.0/);
  t.match(cli.stderr, /--allow-insecure-bind/);
  t.notMatch(cli.stderr, /\n\s+at /, "no stack trace");
});
