import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { ManagedIdentityCredential } from "@azure/identity";
import { main } from "../src/cli";
import { decodeJwtUnverified } from "../src/jwt";
import { runTokenFile, writeTokenFile } from "../src/tokenFile";
import { runCli } from "./support/cli";
import { resetFixture, sharedFixture, type Fixture } from "./support/fixture";
import { captureIo } from "./support/io";

describe("token file mode", function () {
  let f: Fixture;
  let tmp: string;
  before(async () => {
    f = await sharedFixture();
  });
  beforeEach(() => {
    resetFixture(f);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "entra-aws-token-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("--once writes the managed identity's token (mode 0600, no temp files)", async () => {
    const id = f.newIdentity();
    const file = path.join(tmp, "token");
    await runTokenFile({
      file,
      audience: f.audience,
      credential: new ManagedIdentityCredential({ clientId: id.clientId }),
      once: true,
    });
    const token = fs.readFileSync(file, "utf8");
    const { claims } = decodeJwtUnverified(token);
    assert.equal(claims.aud, f.audience);
    assert.equal(claims.sub, id.principalId);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(tmp), ["token"]);
  });

  it("keeps the file fresh: refreshes ahead of expiry, retries a failed refresh, stops on abort", async () => {
    const file = path.join(tmp, "token");
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
    const file = path.join(tmp, "token");
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
    const file = path.join(tmp, "token");
    const token = (i: number): string => `T${i}-${"x".repeat(i % 2 ? 50_000 : 10)}-END`;
    writeTokenFile(file, token(0));
    const reader = new Worker(
      `const fs = require("node:fs"); const { parentPort, workerData } = require("node:worker_threads");
       let reads = 0, torn = 0; const end = Date.now() + 700;
       while (Date.now() < end) { const t = fs.readFileSync(workerData, "utf8"); reads++; if (!/^T\\d+-x+-END$/.test(t)) torn++; }
       parentPort.postMessage({ reads, torn });`,
      { eval: true, workerData: file },
    );
    const result = new Promise<{ reads: number; torn: number }>((resolve, reject) => {
      reader.once("message", resolve);
      reader.once("error", reject);
    });
    let writes = 0;
    const until = Date.now() + 600;
    while (Date.now() < until) {
      writeTokenFile(file, token(++writes));
      await new Promise((r) => setImmediate(r));
    }
    const { reads, torn } = await result;
    await reader.terminate();
    assert.ok(writes > 50 && reads > 50, `writes ${writes}, reads ${reads}`);
    assert.equal(torn, 0);
  });

  it("the token-file command writes the file and logs without the token", async function () {
    this.timeout(20_000);
    const id = f.newIdentity();
    const file = path.join(tmp, "sub", "token");
    const run = await runCli(
      [
        "token-file",
        "--file",
        file,
        "--once",
        "--audience",
        f.audience,
        "--client-id",
        id.clientId,
      ],
      {
        IDENTITY_ENDPOINT: f.mi.endpoint,
        IDENTITY_HEADER: f.mi.secret,
        HOME: tmp,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const token = fs.readFileSync(file, "utf8");
    assert.equal(decodeJwtUnverified(token).claims.sub, id.principalId);
    assert.match(run.stderr, /wrote token to .*token; expires/);
    assert.ok(!run.stderr.includes(token) && !run.stdout.includes(token));
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
      const file = path.join(tmp, "token");
      const io = captureIo(env);
      assert.equal(await main(["token-file", "--file", file, "--once", ...args], io), 1);
      assert.equal(io.err, stderr);
      assert.equal(io.out, "");
      assert.ok(!fs.existsSync(file));
    });
  }
});
