import assert from "node:assert/strict";
import { hostname } from "node:os";
import {
  ClientSecretCredential,
  ManagedIdentityCredential,
  type AccessToken,
  type TokenCredential,
} from "@azure/identity";
import { EntraAwsCredentialsError } from "../src/errors";
import { fromEntraIdentity, type FromEntraIdentityOptions } from "../src/provider";
import { resetFixture, sharedFixture, type Fixture } from "./support/fixture";
import { closedLoopbackUrl } from "./support/loopback";

/** Wraps a credential to count getToken calls and record scopes. */
function counting(inner: TokenCredential): TokenCredential & { calls: number; scopes: string[] } {
  const wrapper = {
    calls: 0,
    scopes: [] as string[],
    async getToken(scopes: string | string[]): Promise<AccessToken | null> {
      wrapper.calls += 1;
      wrapper.scopes.push(String(scopes));
      return inner.getToken(scopes);
    },
  };
  return wrapper;
}

/**
 * Checks `check` once per event-loop turn until it holds (a background refresh finished). No
 * deadline of its own: on a busy machine the turns come slowly, and the test's timeout is the
 * bound.
 */
async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setImmediate(resolve));
}

describe("fromEntraIdentity against loopback managed identity and STS endpoints", function () {
  let f: Fixture;
  const sleeps: number[] = [];

  before(async () => {
    f = await sharedFixture();
  });
  beforeEach(() => {
    resetFixture(f);
    sleeps.length = 0;
  });

  function provider(
    id: { clientId: string; roleArn: string },
    extra: Partial<FromEntraIdentityOptions> = {},
  ) {
    return fromEntraIdentity({
      roleArn: id.roleArn,
      audience: f.audience,
      clientId: id.clientId,
      stsEndpoint: f.sts.endpoint,
      region: "eu-west-1",
      now: () => f.clock.now,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      env: {},
      ...extra,
    });
  }

  const stsCalls = (roleArn: string) => f.sts.calls.filter((c) => c.roleArn === roleArn);

  it("turns a managed identity token into AWS credentials (one token request, one STS call)", async () => {
    const id = f.newIdentity();
    const before = f.mi.byClient.get(id.clientId) ?? 0;
    const creds = await provider(id)();
    assert.match(creds.accessKeyId, /^ASIA/);
    assert.ok(creds.secretAccessKey.length > 10 && creds.sessionToken.length > 10);
    assert.ok(creds.expiration instanceof Date && creds.expiration.getTime() > f.clock.now);
    assert.equal((f.mi.byClient.get(id.clientId) ?? 0) - before, 1);
    const calls = stsCalls(id.roleArn);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.outcome, "ok");
    // Default session name: identity and host, within IAM's alphabet and length.
    assert.match(calls[0]!.sessionName, /^entra-[0-9a-f-]{36}@[\w+=,.@-]*$/);
    assert.ok(calls[0]!.sessionName.length <= 64);
    assert.ok(
      calls[0]!.sessionName.includes(
        hostname()
          .replace(/[^\w+=,.@-]+/g, "-")
          .slice(0, 8),
      ),
    );
  });

  it("reads roleArn, audience, client id and session name from the environment", async () => {
    const id = f.newIdentity();
    const p = fromEntraIdentity({
      stsEndpoint: f.sts.endpoint,
      env: {
        AWS_ROLE_ARN: id.roleArn,
        ENTRA_AWS_AUDIENCE: f.audience,
        AZURE_CLIENT_ID: id.clientId,
        AWS_ROLE_SESSION_NAME: "batch job #7 (nightly)",
        AWS_REGION: "eu-west-1",
      },
    });
    await p();
    assert.equal(stsCalls(id.roleArn)[0]!.sessionName, "batch-job-7-nightly");
  });

  it("passes DurationSeconds and rejects missing settings with a clear error", async () => {
    const id = f.newIdentity();
    f.sts.options.roles.get(id.roleArn)!.maxSessionDuration = 7200;
    await provider(id, { durationSeconds: 7200 })();
    assert.equal(stsCalls(id.roleArn)[0]!.durationSeconds, 7200);
    assert.throws(
      () => fromEntraIdentity({ env: {} }),
      (e: Error) => /AWS_ROLE_ARN/.test(e.message) && /ENTRA_AWS_AUDIENCE/.test(e.message),
    );
  });

  it("serves cached credentials until the refresh window, then refreshes in the background (controllable clock)", async () => {
    const id = f.newIdentity();
    const p = provider(id);
    const first = await p();
    const exp = first.expiration.getTime();
    f.clock.now = exp - 301_000; // just outside the default 5 minute window
    assert.equal((await p()).accessKeyId, first.accessKeyId);
    assert.equal(stsCalls(id.roleArn).length, 1);
    f.clock.now = exp - 299_000; // inside it: still valid, so served at once while refreshing
    assert.equal((await p()).accessKeyId, first.accessKeyId);
    await eventually(async () => (await p()).accessKeyId !== first.accessKeyId);
    assert.equal(stsCalls(id.roleArn).length, 2);
    assert.ok((await p()).expiration.getTime() > exp);
  });

  it("honours a configurable refresh-ahead window", async () => {
    const id = f.newIdentity();
    const p = provider(id, { refreshBeforeExpirySeconds: 900 });
    const first = await p();
    f.clock.now = first.expiration.getTime() - 901_000;
    await p();
    assert.equal(stsCalls(id.roleArn).length, 1);
    f.clock.now = first.expiration.getTime() - 899_000;
    await eventually(async () => (await p()).accessKeyId !== first.accessKeyId);
    assert.equal(stsCalls(id.roleArn).length, 2);
  });

  it("caps the refresh window at half the session: 50 gets of 900 s credentials with a 900 s window make one STS call", async () => {
    const id = f.newIdentity();
    const p = provider(id, { durationSeconds: 900, refreshBeforeExpirySeconds: 900 });
    const first = await p();
    for (let i = 0; i < 49; i++) assert.equal((await p()).accessKeyId, first.accessKeyId);
    assert.equal(stsCalls(id.roleArn).length, 1);
    f.clock.now = first.expiration.getTime() - 451_000; // window = min(900, 900 / 2) = 450 s
    assert.equal((await p()).accessKeyId, first.accessKeyId);
    assert.equal(stsCalls(id.roleArn).length, 1);
  });

  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`rejects refreshBeforeExpirySeconds = ${bad} with an error naming the option`, () => {
      const id = f.newIdentity();
      assert.throws(
        () => provider(id, { refreshBeforeExpirySeconds: bad }),
        (e: Error) =>
          e instanceof EntraAwsCredentialsError &&
          e.message ===
            `refreshBeforeExpirySeconds must be a finite number of seconds >= 0, got ${bad}.`,
      );
    });
  }

  it("shares one in-flight refresh among 100 concurrent callers (cold, and in the background in the refresh window)", async () => {
    const id = f.newIdentity();
    const credential = counting(new ManagedIdentityCredential({ clientId: id.clientId }));
    const p = provider(id, { credential });
    f.sts.faults.push({ delayMs: 50 });
    const cold = await Promise.all(Array.from({ length: 100 }, () => p()));
    assert.equal(new Set(cold.map((c) => c.accessKeyId)).size, 1);
    assert.equal(stsCalls(id.roleArn).length, 1);
    assert.equal(credential.calls, 1);
    assert.equal(f.mi.byClient.get(id.clientId), 1);

    // In the refresh window the valid credentials are served at once; one refresh runs behind.
    f.clock.now = cold[0]!.expiration.getTime() - 60_000;
    f.sts.faults.push({ delayMs: 50 });
    const warm = await Promise.all(Array.from({ length: 100 }, () => p()));
    assert.deepEqual(new Set(warm.map((c) => c.accessKeyId)), new Set([cold[0]!.accessKeyId]));
    await eventually(async () => (await p()).accessKeyId !== cold[0]!.accessKeyId);
    const refreshed = await Promise.all(Array.from({ length: 100 }, () => p()));
    assert.equal(new Set(refreshed.map((c) => c.accessKeyId)).size, 1);
    assert.equal(stsCalls(id.roleArn).length, 2);
    assert.equal(credential.calls, 2);
  });

  it("keeps serving valid cached credentials when a refresh fails, and retries the refresh later", async () => {
    const id = f.newIdentity();
    const errors: Error[] = [];
    const p = provider(id, { onRefreshError: (e) => errors.push(e) });
    const first = await p();
    const exp = first.expiration.getTime();
    f.clock.now = exp - 120_000; // refresh due, still valid
    f.sts.stickyFault = { code: "AccessDenied", message: "Not authorized", status: 403 };
    assert.equal((await p()).accessKeyId, first.accessKeyId);
    await eventually(() => errors.length > 0);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof EntraAwsCredentialsError);
    assert.equal(stsCalls(id.roleArn).length, 2);
    // Within the backoff: served from cache without calling STS.
    assert.equal((await p()).accessKeyId, first.accessKeyId);
    assert.equal(stsCalls(id.roleArn).length, 2);
    // After the backoff (at most 60 s), the refresh is retried and succeeds.
    f.sts.stickyFault = undefined;
    f.clock.now += 61_000;
    assert.equal((await p()).accessKeyId, first.accessKeyId);
    await eventually(async () => (await p()).accessKeyId !== first.accessKeyId);
    assert.equal(stsCalls(id.roleArn).length, 3);
    assert.equal(errors.length, 1);
  });

  it("throws once the cached credentials have expired and the refresh still fails", async () => {
    const id = f.newIdentity();
    const p = provider(id);
    const first = await p();
    f.sts.stickyFault = { code: "AccessDenied", message: "Not authorized", status: 403 };
    f.clock.now = first.expiration.getTime() + 1;
    await assert.rejects(p(), (e: EntraAwsCredentialsError) => e.code === "AccessDenied");
  });

  it("backs off when nothing valid is cached: 20 gets during an outage after expiry make one fetch until the backoff elapses", async () => {
    const id = f.newIdentity();
    const credential = counting(new ManagedIdentityCredential({ clientId: id.clientId }));
    const p = provider(id, { credential, retry: { maxAttempts: 1 } });
    const first = await p();
    f.clock.now = first.expiration.getTime() + 1;
    f.sts.stickyFault = { code: "ServiceUnavailable", message: "down", status: 503 };
    const errors: unknown[] = [];
    for (let i = 0; i < 20; i++)
      errors.push(
        await p().then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
    assert.ok(errors[0] instanceof EntraAwsCredentialsError);
    assert.ok(
      errors.every((e) => e === errors[0]),
      "the same error, rethrown",
    );
    assert.equal(stsCalls(id.roleArn).length, 2); // the first success and one failed fetch
    assert.equal(credential.calls, 2);
    // random() = 0.5: the first backoff is max(1 s, 0.5 * 5 s) = 2.5 s.
    f.clock.now += 2_499;
    await assert.rejects(p());
    assert.equal(stsCalls(id.roleArn).length, 2);
    f.clock.now += 1;
    f.sts.stickyFault = undefined;
    assert.notEqual((await p()).accessKeyId, first.accessKeyId);
    assert.equal(stsCalls(id.roleArn).length, 3);
  });

  for (const code of ["IDPCommunicationError", "Throttling"]) {
    it(`retries ${code} with capped, jittered exponential backoff, then succeeds`, async () => {
      const id = f.newIdentity();
      f.sts.faults.push({ code }, { code });
      const creds = await provider(id)();
      assert.match(creds.accessKeyId, /^ASIA/);
      assert.deepEqual(
        stsCalls(id.roleArn).map((c) => c.outcome),
        [code, code, "ok"],
      );
      // random() = 0.5: half of 200 ms, then half of 400 ms.
      assert.deepEqual(sleeps, [100, 200]);
    });
  }

  it("gives up after maxAttempts transient failures with an explained error", async () => {
    const id = f.newIdentity();
    f.sts.stickyFault = { code: "IDPCommunicationError", message: "Couldn't reach the IdP" };
    await assert.rejects(
      provider(id, { retry: { maxAttempts: 3, maxDelayMs: 300 } })(),
      (e: EntraAwsCredentialsError) => {
        assert.equal(e.code, "IDPCommunicationError");
        assert.equal(e.retryable, true);
        assert.match(e.message, /could not reach Entra ID/);
        return true;
      },
    );
    assert.equal(stsCalls(id.roleArn).length, 3);
    assert.deepEqual(sleeps, [100, 150]); // min(300, 400) * 0.5 = 150: capped
  });

  it("keeps its retry the only one: stsClientConfig cannot raise maxAttempts", async () => {
    const id = f.newIdentity();
    f.sts.stickyFault = { code: "IDPCommunicationError", message: "Couldn't reach the IdP" };
    await assert.rejects(
      provider(id, { retry: { maxAttempts: 2 }, stsClientConfig: { maxAttempts: 5 } })(),
      (e: EntraAwsCredentialsError) => e.code === "IDPCommunicationError",
    );
    assert.equal(stsCalls(id.roleArn).length, 2);
  });

  it("retries a timed-out (slow) STS response", async () => {
    const id = f.newIdentity();
    f.sts.faults.push({ delayMs: 1_000 });
    const creds = await provider(id, { stsRequestTimeoutMs: 150 })();
    assert.match(creds.accessKeyId, /^ASIA/);
    assert.equal(stsCalls(id.roleArn).length, 2);
    assert.equal(sleeps.length, 1);
  });

  /**
   * A credential that asks the loopback managed identity endpoint (App Service protocol) on every
   * call, with no token cache, so each call gets a new token.
   */
  function uncached(clientId: string): TokenCredential & { tokens: string[] } {
    const credential = {
      tokens: [] as string[],
      async getToken(scope: string | string[]): Promise<AccessToken> {
        const url = new URL(f.mi.endpoint);
        url.searchParams.set("api-version", "2019-08-01");
        url.searchParams.set("resource", String(scope).replace(/\/\.default$/, ""));
        url.searchParams.set("client_id", clientId);
        const res = await fetch(url, { headers: { "X-IDENTITY-HEADER": f.mi.secret } });
        const body = (await res.json()) as { access_token: string; expires_on: string };
        credential.tokens.push(body.access_token);
        return { token: body.access_token, expiresOnTimestamp: Number(body.expires_on) * 1000 };
      },
    };
    return credential;
  }

  const expiredBySts = (causes: string): string =>
    [
      "AssumeRoleWithWebIdentity for ROLE failed: ExpiredTokenException: Token expired: current date/time must be before the expiration date/time.",
      "AWS STS says the Entra token has expired.",
      "Likely causes:",
      `  - ${causes}`,
    ].join("\n");

  it("on ExpiredTokenException gets a new token once and calls STS again with it", async () => {
    const id = f.newIdentity();
    const credential = uncached(id.clientId);
    f.sts.faults.push({ code: "ExpiredTokenException", message: "Token expired" });
    const creds = await provider(id, { credential })();
    assert.match(creds.accessKeyId, /^ASIA/);
    assert.equal(credential.tokens.length, 2);
    assert.notEqual(credential.tokens[0], credential.tokens[1]);
    assert.deepEqual(
      stsCalls(id.roleArn).map((c) => c.outcome),
      ["ExpiredTokenException", "ok"],
    );
    assert.deepEqual(sleeps, []);
  });

  it("on ExpiredTokenException with the same token back (MSAL's managed identity cache) explains at once, without a second STS call", async () => {
    const id = f.newIdentity();
    const credential = counting(new ManagedIdentityCredential({ clientId: id.clientId }));
    // STS's clock a day ahead of this machine's: the token, valid for 24 h by the clock MSAL
    // judges its cache with, has expired for STS (5 minutes of skew allowed).
    f.clock.now = Date.now() + 86_400_000 + 301_000;
    await assert.rejects(provider(id, { credential })(), (e: EntraAwsCredentialsError) => {
      assert.equal(e.code, "ExpiredTokenException");
      assert.equal(
        e.message,
        expiredBySts(
          "Asked again, the credential returned the same token, so STS was not called a second time: @azure/identity (MSAL) keeps a managed identity's token until it is near expiry by this machine's clock, so that clock is behind STS's. Check it and enable NTP time sync (IAM allows 5 minutes of skew).",
        ).replace("ROLE", id.roleArn),
      );
      return true;
    });
    assert.equal(credential.calls, 2);
    assert.equal(f.mi.byClient.get(id.clientId), 1); // the second token came from MSAL's cache
    assert.deepEqual(
      stsCalls(id.roleArn).map((c) => c.outcome),
      ["ExpiredTokenException"],
    );
  });

  it("does not loop on ExpiredTokenException: a new token also expired for STS surfaces", async () => {
    const id = f.newIdentity();
    const credential = uncached(id.clientId);
    f.clock.now = Date.now() + 86_400_000 + 301_000;
    await assert.rejects(provider(id, { credential })(), (e: EntraAwsCredentialsError) => {
      assert.equal(e.code, "ExpiredTokenException");
      assert.equal(
        e.message,
        expiredBySts(
          "A token cache that judges expiry by a clock that is behind (MSAL's on this machine for a managed identity, or the managed identity endpoint's) still serves a token STS sees as expired: check this machine's clock and enable NTP time sync (IAM allows 5 minutes of skew).",
        ).replace("ROLE", id.roleArn),
      );
      return true;
    });
    assert.equal(credential.tokens.length, 2);
    assert.deepEqual(
      stsCalls(id.roleArn).map((c) => c.outcome),
      ["ExpiredTokenException", "ExpiredTokenException"],
    );
  });

  it("does not retry InvalidIdentityToken (a v2 token: no provider for its issuer) and explains it", async () => {
    const id = f.newIdentity();
    f.mi.options.version = () => "2.0";
    await assert.rejects(provider(id)(), (e: EntraAwsCredentialsError) => {
      assert.equal(e.code, "InvalidIdentityToken");
      assert.equal(e.retryable, false);
      assert.match(e.message, /No OpenIDConnect provider found/);
      assert.match(e.message, /trailing slash/);
      assert.match(e.message, /requestedAccessTokenVersion = 1/);
      assert.doesNotMatch(e.message, /eyJ/);
      return true;
    });
    assert.equal(stsCalls(id.roleArn).length, 1);
  });

  it("does not retry InvalidIdentityToken for an audience the provider does not list", async () => {
    const id = f.newIdentity();
    const otherAudience = `api://${id.clientId}`;
    await assert.rejects(
      provider(id, { audience: otherAudience })(),
      (e: EntraAwsCredentialsError) => {
        assert.equal(e.code, "InvalidIdentityToken");
        assert.match(e.message, /Incorrect token audience/);
        assert.match(e.message, /client ID list/);
        return true;
      },
    );
    assert.equal(stsCalls(id.roleArn).length, 1);
  });

  it("does not retry AccessDenied (sub not in the trust policy) and names the principalId cause", async () => {
    const id = f.newIdentity({ trusted: false });
    await assert.rejects(provider(id)(), (e: EntraAwsCredentialsError) => {
      assert.equal(e.code, "AccessDenied");
      assert.match(e.message, /principalId/);
      assert.match(e.message, /eventually consistent/);
      return true;
    });
    assert.equal(stsCalls(id.roleArn).length, 1);
    assert.deepEqual(sleeps, []);
  });

  it("does not retry IDPRejectedClaim", async () => {
    const id = f.newIdentity();
    f.sts.faults.push({ code: "IDPRejectedClaim", message: "rejected" });
    await assert.rejects(
      provider(id)(),
      (e: EntraAwsCredentialsError) => e.code === "IDPRejectedClaim" && !e.retryable,
    );
    assert.equal(stsCalls(id.roleArn).length, 1);
  });

  it("explains Entra failures (unknown client id) without calling STS", async () => {
    const id = f.newIdentity();
    await assert.rejects(
      provider(
        { clientId: "00000000-0000-0000-0000-000000000000", roleArn: id.roleArn },
        {
          credential: new ManagedIdentityCredential({
            clientId: "00000000-0000-0000-0000-000000000000",
            retryOptions: { maxRetries: 0 },
          }),
        },
      )(),
      (e: EntraAwsCredentialsError) => {
        assert.equal(e.source, "entra");
        assert.match(e.message, /Entra ID token/);
        return true;
      },
    );
    assert.equal(stsCalls(id.roleArn).length, 0);
  });

  it("asks any TokenCredential (e.g. a caller app's client secret credential) for <audience>/.default", async () => {
    const id = f.newIdentity();
    const credential = counting(new ManagedIdentityCredential({ clientId: id.clientId }));
    await provider(id, { credential })();
    assert.deepEqual(credential.scopes, [`${f.audience}/.default`]);
  });

  it("says a managed identity endpoint's HTTP 500 was retried and is on the Azure side, without MSAL's placeholders", async function () {
    // @azure/identity's own retries with its default backoff (about 6 s). They cannot be made
    // quicker here: MSAL keeps the managed identity source, with the HTTP client of the first
    // credential this process made, in a static field, so later credentials' retryOptions do
    // not apply.
    this.timeout(60_000);
    const id = f.newIdentity();
    f.mi.failNext = 100;
    const before = f.mi.requests;
    await assert.rejects(provider(id)(), (e: EntraAwsCredentialsError) => {
      assert.equal(e.source, "entra");
      assert.equal(
        e.message,
        `Getting an Entra ID token for ${f.audience}/.default failed: the managed identity endpoint answered HTTP 500 (injected failure), also when retried. This is on the Azure side, not in the settings: try again later, and check the Azure status page if it persists.`,
      );
      return true;
    });
    assert.equal(f.mi.requests - before, 4, "one request and three retries");
    assert.equal(stsCalls(id.roleArn).length, 0);
  });

  it("gives a caller app's network error the network cause, not the managed identity's hints", async () => {
    const id = f.newIdentity();
    const proxy = new URL(await closedLoopbackUrl());
    const credential = new ClientSecretCredential(f.tenantId, id.clientId, "caller-app-secret", {
      // Through a proxy that refuses the connection: nothing leaves loopback.
      proxyOptions: { host: `http://${proxy.hostname}`, port: Number(proxy.port) },
      retryOptions: { maxRetries: 0 },
    });
    await assert.rejects(provider(id, { credential })(), (e: EntraAwsCredentialsError) => {
      assert.equal(
        e.message,
        `Getting an Entra ID token for ${f.audience}/.default failed: network_error: See https://aka.ms/msal.js.errors#network_error for details
Could not reach Entra ID.
Likely causes:
  - Entra ID did not answer the caller app's token request: check network access to the Entra login endpoint (AZURE_AUTHORITY_HOST, default login.microsoftonline.com) and the proxy settings (HTTPS_PROXY).`,
      );
      return true;
    });
  });

  for (const [what, env] of [
    ["AWS_ENDPOINT_URL_STS set", true],
    ["--sts-endpoint only", false],
  ] as const) {
    it(`says STS never answered and names the endpoint used when the connection is refused (${what})`, async () => {
      const id = f.newIdentity();
      const sts = await closedLoopbackUrl();
      const p = provider(id, {
        stsEndpoint: sts,
        env: env ? { AWS_ENDPOINT_URL_STS: sts } : {},
      });
      const { port } = new URL(sts);
      await assert.rejects(p(), (e: EntraAwsCredentialsError) => {
        assert.equal(e.code, "ECONNREFUSED");
        assert.equal(
          e.message,
          [
            `AssumeRoleWithWebIdentity for ${id.roleArn} failed: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}`,
            `AWS STS never answered: ECONNREFUSED from ${sts}.`,
            "Likely causes:",
            ...(env
              ? [
                  `  - AWS_ENDPOINT_URL_STS is set to ${sts}: check that URL, or unset it to use the regional endpoint of eu-west-1.`,
                ]
              : []),
            `  - Check network access to ${sts}: firewall, proxy (HTTPS_PROXY), DNS, or the VPC endpoint.`,
          ].join("\n"),
        );
        return true;
      });
      assert.deepEqual(sleeps, [100, 200, 400], "retried as a transient failure");
    });
  }
});
