import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { ManagedIdentityCredential } from "@azure/identity";
import { main } from "../src/cli";
import { decodeJwtUnverified } from "../src/jwt";
import { runTokenFile, writeTokenFile } from "../src/tokenFile";
import { fixtureWithTempDir } from "./support/fixture";
import { captureIo } from "./support/io";

describe("token file mode", function () {
  const suite = fixtureWithTempDir("entra-aws-token-");

  it("--once writes the managed identity's token (mode 0600, no temp files)", async () => {
    const id = suite.f.newIdentity();
    const file = path.join(suite.tmp, "token");
    await runTokenFile({
      file,
      audience: suite.f.audience,
      credential: new ManagedIdentityCredential({ clientId: id.clientId }),
      once: true,
    });
    const token = fs.readFileSync(file, "utf8");
    const { claims } = decodeJwtUnverified(token);
    assert.equal(claims.aud, suite.f.audience);
    assert.equal(claims.sub, id.principalId);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(suite.tmp), ["token"]);
  });

  it("keeps the file fresh: refreshes ahead of expiry, retries a failed refresh, stops on abort", async () => {
    const file = path.join(suite.tmp, "token");
    let clock = 1_000_000_000_000;
    const tokens: AccessToken[] = [];
    let fail = 0;
    const credential: TokenCredential = {
      getToken: () => {
        if (fail > 0) {
          fail -= 1;
          return Promise.reject(new Error("IMDS unavailable"));
        }
        const t: AccessToken = {
          token: `token-${tokens.length}`,
          expiresOnTimestamp: clock + 3_600_000,
          tokenType: "Bearer",
        };
        tokens.push(t);
        return Promise.resolve(t);
      },
    };
    const controller = new AbortController();
    const sleeps: number[] = [];
    const seen: string[] = [];
    await runTokenFile({
      file,
      audience: "api://x",
      credential,
      now: () => clock,
      signal: controller.signal,
      sleep: (ms) => {
        sleeps.push(ms);
        seen.push(fs.readFileSync(file, "utf8"));
        clock += ms;
        if (sleeps.length === 1) fail = 2; // the next two refreshes fail
        if (sleeps.length === 4) controller.abort();
        return Promise.resolve();
      },
    });
    // First sleep: until 5 minutes before expiry. Then two failed attempts (backoff >= 1 s), then success.
    assert.equal(sleeps[0], 3_600_000 - 300_000);
    assert.ok(sleeps[1]! >= 1_000 && sleeps[2]! >= 1_000);
    assert.deepEqual(seen, ["token-0", "token-0", "token-0", "token-1"]);
    assert.equal(fs.readFileSync(file, "utf8"), "token-1");
  });

  it("throws when the refresh fails and the file's token has expired", async () => {
    const file = path.join(suite.tmp, "token");
    let clock = 0;
    let calls = 0;
    const credential: TokenCredential = {
      getToken: () => {
        calls += 1;
        return calls === 1
          ? Promise.resolve({
              token: "t",
              expiresOnTimestamp: clock + 600_000,
              tokenType: "Bearer",
            } as AccessToken)
          : Promise.reject(new Error("down"));
      },
    };
    await assert.rejects(
      runTokenFile({
        file,
        audience: "api://x",
        credential,
        now: () => clock,
        sleep: (ms) => {
          clock += ms;
          return Promise.resolve();
        },
      }),
      /Entra ID token/,
    );
  });

  it("writes atomically: a concurrent reader only ever sees complete tokens", async () => {
    const file = path.join(suite.tmp, "token");
    const token = (i: number): string => `T${i}-${"x".repeat(i % 2 ? 50_000 : 10)}-END`;
    writeTokenFile(file, token(0));
    // Shared counters instead of time windows: the writer starts once the reader has read, and
    // the reader stops when the writer says it is done, however slow either one runs.
    const state = new Int32Array(new SharedArrayBuffer(8)); // [reads, writer done]
    const reader = new Worker(
      `const fs = require("node:fs"); const { parentPort, workerData } = require("node:worker_threads");
       const [file, state] = workerData; let torn = 0;
       while (Atomics.load(state, 1) === 0) { const t = fs.readFileSync(file, "utf8"); Atomics.add(state, 0, 1); if (!/^T\\d+-x+-END$/.test(t)) torn++; }
       parentPort.postMessage(torn);`,
      { eval: true, workerData: [file, state] },
    );
    try {
      const result = new Promise<number>((resolve, reject) => {
        reader.once("message", resolve);
        reader.once("error", reject);
      });
      while (Atomics.load(state, 0) === 0) await new Promise((r) => setImmediate(r));
      const readsBefore = Atomics.load(state, 0);
      for (let i = 1; i <= 100; i++) {
        writeTokenFile(file, token(i));
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      const readsDuring = Atomics.load(state, 0) - readsBefore;
      Atomics.store(state, 1, 1);
      assert.equal(await result, 0, "a read saw a partial token");
      assert.ok(readsDuring > 0, "the reader read while the writer wrote");
    } finally {
      await reader.terminate();
    }
  });

  it("the token-file command writes the file and logs without the token", async () => {
    const id = suite.f.newIdentity();
    const file = path.join(suite.tmp, "sub", "token");
    const io = captureIo();
    const code = await main(
      [
        "token-file",
        "--file",
        file,
        "--once",
        "--audience",
        suite.f.audience,
        "--client-id",
        id.clientId,
      ],
      io,
    );
    assert.equal(code, 0, io.err);
    const token = fs.readFileSync(file, "utf8");
    assert.equal(decodeJwtUnverified(token).claims.sub, id.principalId);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.match(io.err, /^entra-aws-credentials: wrote token to .*token; expires \S+\n$/);
    assert.ok(!io.err.includes(token) && !io.out.includes(token));
  });

  it("refuses a directory writable by others without the sticky bit, before asking for a token", async () => {
    const id = suite.f.newIdentity();
    const dir = path.join(suite.tmp, "open");
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    const file = path.join(dir, "token");
    const io = captureIo();
    const args = ["token-file", "--file", file, "--once", "--audience", suite.f.audience];
    assert.equal(await main([...args, "--client-id", id.clientId], io), 1);
    assert.equal(
      io.err,
      `entra-aws-credentials: The token file's directory ${dir} is writable by others without the sticky bit (mode 0777): another user could replace the token file. Write it to a directory only you can write to, or set the sticky bit (chmod +t).\n`,
    );
    assert.equal(io.out, "");
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(suite.f.mi.byClient.get(id.clientId) ?? 0, 0);
    assert.throws(() => writeTokenFile(file, "t"), /writable by others without the sticky bit/);

    fs.chmodSync(dir, 0o1777); // as /tmp: others cannot replace a file they do not own
    const sticky = captureIo();
    assert.equal(await main([...args, "--client-id", id.clientId], sticky), 0, sticky.err);
    assert.equal(decodeJwtUnverified(fs.readFileSync(file, "utf8")).claims.sub, id.principalId);
  });

  const defaultScope =
    'entra-aws-credentials: The audience "api://x/.default" ends with /.default: pass the App ID URI itself (the helper adds /.default to the token scope).\n';
  for (const [what, args, env, stderr] of [
    ["--audience", ["--audience", "api://x/.default"], {}, defaultScope],
    ["ENTRA_AWS_AUDIENCE", [], { ENTRA_AWS_AUDIENCE: " api://x/.default " }, defaultScope],
    [
      "no audience",
      [],
      {},
      "entra-aws-credentials: Missing the audience, the federation app's App ID URI such as api://<appId> (option audience / --audience or ENTRA_AWS_AUDIENCE). Print them for an identity and role with `entra-aws-credentials env`.\n",
    ],
  ] as const) {
    it(`the token-file command checks the audience like the other commands (${what})`, async () => {
      const file = path.join(suite.tmp, "token");
      const io = captureIo(env);
      assert.equal(await main(["token-file", "--file", file, "--once", ...args], io), 1);
      assert.equal(io.err, stderr);
      assert.equal(io.out, "");
      assert.ok(!fs.existsSync(file));
    });
  }
});
