import assert from "node:assert/strict";
import { hostname } from "node:os";
import { resolveSettings } from "../src/config";
import { cacheKey } from "../src/diskCache";
import { entraCloud, tokenScope } from "../src/entraCloud";
import { classifyStsError, stsErrorCode, type RetryDecision } from "../src/sts/classify";
import { explainStsError } from "../src/sts/explanations";
import { decodeJwtUnverified } from "../src/jwt";
import { redact } from "../src/redact";
import { backoffDelayMs } from "../src/retry";
import { defaultSessionName, sanitizeSessionName } from "../src/sessionName";

describe("sanitizeSessionName", () => {
  const cases: [string, string][] = [
    ["app-reader", "app-reader"],
    ["batch job #7 (nightly)", "batch-job-7-nightly"],
    ["user@host.example.com", "user@host.example.com"],
    ["a+b=c,d.e@f_g-h", "a+b=c,d.e@f_g-h"],
    ["ümlaut-café", "umlaut-cafe"],
    ["///", "entra-aws"],
    ["", "entra-aws"],
    ["x", "x-entra"],
    ["a".repeat(80), "a".repeat(64)],
    [`${"a".repeat(63)} b`, "a".repeat(63)],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw.length > 20 ? `${raw.slice(0, 20)}…` : raw)} → ${expected.length > 20 ? `${expected.slice(0, 20)}…` : expected}`, () => {
      const name = sanitizeSessionName(raw);
      assert.equal(name, expected);
      assert.match(name, /^[\w+=,.@-]{2,64}$/);
    });
  }
  it("defaults to the identity and the host, within 64 characters", () => {
    const clientId = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    assert.equal(defaultSessionName(clientId, "web-01"), `entra-${clientId}@web-01`);
    assert.equal(defaultSessionName(undefined, "vm 1"), "entra-system@vm-1");
    const long = defaultSessionName(clientId, "a-very-long-host-name.internal.cloudapp.net");
    assert.equal(long.length, 64);
    assert.ok(long.startsWith(`entra-${clientId}@a-very`));
  });
});

describe("STS error classification and explanations", () => {
  const table: [unknown, string | undefined, RetryDecision][] = [
    [{ name: "IDPCommunicationErrorException" }, "IDPCommunicationError", "retry"],
    [{ name: "Throttling" }, "Throttling", "retry"],
    [{ name: "ThrottlingException" }, "ThrottlingException", "retry"],
    [{ name: "TooManyRequestsException" }, "TooManyRequestsException", "retry"],
    [{ name: "TimeoutError", code: "ETIMEDOUT" }, "ETIMEDOUT", "retry"],
    [{ name: "Error", code: "ECONNRESET" }, "ECONNRESET", "retry"],
    [{ name: "ExpiredTokenException" }, "ExpiredTokenException", "new-token"],
    [{ name: "InvalidIdentityTokenException" }, "InvalidIdentityToken", "fatal"],
    [{ name: "IDPRejectedClaimException" }, "IDPRejectedClaim", "fatal"],
    [{ name: "AccessDenied" }, "AccessDenied", "fatal"],
    [{ name: "MalformedPolicyDocumentException" }, "MalformedPolicyDocument", "fatal"],
    [{ name: "ValidationError" }, "ValidationError", "fatal"],
    [{ name: "SomethingNew", $metadata: { httpStatusCode: 503 } }, "SomethingNew", "retry"],
    [{ name: "SomethingNew", $metadata: { httpStatusCode: 400 } }, "SomethingNew", "fatal"],
    ["a string", undefined, "fatal"],
  ];
  for (const [error, code, decision] of table) {
    it(`${JSON.stringify(error)} → ${code} → ${decision}`, () => {
      assert.equal(stsErrorCode(error), code);
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
        ?.httpStatusCode;
      assert.equal(classifyStsError(code, status), decision);
    });
  }

  const explanations: [string, string, RegExp[]][] = [
    [
      "InvalidIdentityToken",
      "No OpenIDConnect provider found in your account for https://sts.windows.net/x/",
      [/trailing slash/, /requestedAccessTokenVersion = 1/],
    ],
    ["InvalidIdentityToken", "Incorrect token audience", [/client ID list/, /v2\.0/]],
    ["InvalidIdentityToken", "Couldn't verify the token's signature", [/signature/, /thumbprints/]],
    ["IDPRejectedClaim", "", [/client ID list/, /principalId/]],
    [
      "AccessDenied",
      "Not authorized to perform sts:AssumeRoleWithWebIdentity",
      [/principalId/, /never its client id/, /:aud and :sub/, /eventually consistent/],
    ],
    ["ExpiredTokenException", "", [/clock/]],
    ["Throttling", "", [/Retried automatically/]],
    ["Weird", "", [/unexpected error \(Weird\)/]],
  ];
  for (const [code, message, patterns] of explanations) {
    it(`explains ${code}${message ? ` (${message.slice(0, 30)}…)` : ""}`, () => {
      const text = [
        explainStsError(code, message).summary,
        ...explainStsError(code, message).causes,
      ].join("\n");
      for (const p of patterns) assert.match(text, p);
    });
  }
});

describe("STS explanations follow the cloud", () => {
  it("names the cloud's issuer, condition keys and v2 issuer", () => {
    const china = entraCloud("AzureChina");
    assert.deepEqual(
      explainStsError("InvalidIdentityToken", "No OpenIDConnect provider found", undefined, china)
        .causes,
      [
        "The IAM OIDC provider URL must equal the token's iss exactly: https://sts.chinacloudapi.cn/<tenantId>/ with the trailing slash.",
        "The token is a v2.0 token (iss https://login.chinacloudapi.cn/<tenant>/v2.0, audience in azp): set the federation app's api.requestedAccessTokenVersion = 1.",
        "The provider was created for another tenant, or in another AWS account than the role: compare the provider ARN in the role's trust policy with oidcProviderArn.",
      ],
    );
    assert.ok(
      explainStsError("AccessDenied", "", undefined, china).causes.includes(
        "The trust policy's condition keys must be sts.chinacloudapi.cn/<tenantId>/:aud and :sub (with the slash before the colon) under StringEquals.",
      ),
    );
    // AzurePublic by default, as before the setting.
    assert.ok(
      explainStsError("AccessDenied").causes.includes(
        "The trust policy's condition keys must be sts.windows.net/<tenantId>/:aud and :sub (with the slash before the colon) under StringEquals.",
      ),
    );
  });

  it("keeps configuration errors fatal whatever the HTTP status", () => {
    for (const code of [
      "InvalidIdentityToken",
      "IDPRejectedClaim",
      "AccessDenied",
      "MalformedPolicyDocument",
      "PackedPolicyTooLarge",
      "RegionDisabledException",
      "ValidationError",
    ]) {
      assert.equal(classifyStsError(code, 503), "fatal", code);
    }
    assert.equal(classifyStsError("toString", 503), "retry");
    assert.equal(stsErrorCode({ name: "toString" }), "toString");
  });
});

describe("backoffDelayMs", () => {
  it("grows exponentially, is capped, and is jittered within [0, ceiling)", () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, opts, () => 0.999)),
      [99, 199, 399, 799, 999, 999],
    );
    assert.equal(
      backoffDelayMs(3, opts, () => 0),
      0,
    );
    for (let i = 0; i < 200; i++) {
      const d = backoffDelayMs(10, opts);
      assert.ok(d >= 0 && d < 1000);
    }
  });
});

describe("cacheKey", () => {
  const base = {
    roleArn: "arn:aws:iam::123456789012:role/r",
    audience: "api://a",
    clientId: "c",
    tenantId: undefined,
    sessionName: undefined,
    durationSeconds: undefined,
    stsEndpoint: undefined,
  };
  it("is stable and differs per role, audience, identity, session, duration and endpoint", () => {
    const k = cacheKey(base);
    assert.equal(k, cacheKey({ ...base }));
    assert.match(k, /^[0-9a-f]{40}$/);
    const variants = [
      { roleArn: "arn:aws:iam::123456789012:role/s" },
      { audience: "api://b" },
      { clientId: "d" },
      { clientId: undefined },
      { tenantId: "t" },
      { sessionName: "s" },
      { durationSeconds: 900 },
      { stsEndpoint: "http://127.0.0.1:1" },
    ];
    const keys = new Set([k, ...variants.map((v) => cacheKey({ ...base, ...v }))]);
    assert.equal(keys.size, variants.length + 1);
  });
  it("differs per host and per user, and uses the session name actually sent", () => {
    const system = { ...base, clientId: undefined };
    const at = (host: string, uid: number | undefined = 1000) => ({ uid, host });
    // A system-assigned identity on two hosts sharing a cache directory: two identities.
    assert.notEqual(cacheKey(system, at("web-01")), cacheKey(system, at("web-02")));
    // Even with the same explicit session name.
    const named = { ...system, sessionName: "app" };
    assert.notEqual(cacheKey(named, at("web-01")), cacheKey(named, at("web-02")));
    // Two users sharing a cache directory.
    assert.notEqual(cacheKey(system, at("web-01", 1000)), cacheKey(system, at("web-01", 1001)));
    assert.notEqual(
      cacheKey(system, at("web-01", 1000)),
      cacheKey(system, { uid: undefined, host: "web-01" }),
    );
    // The default session name and the same name given explicitly send the same request.
    assert.equal(
      cacheKey(system, at("web-01")),
      cacheKey({ ...system, sessionName: "entra-system@web-01" }, at("web-01")),
    );
    assert.equal(cacheKey(system), cacheKey(system, at(hostname(), process.getuid?.())));
  });
});

describe("settings", () => {
  it("prefers options over the environment and defaults the region", () => {
    const s = resolveSettings(
      { roleArn: "arn:aws:iam::123456789012:role/opt" },
      {
        AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/env",
        ENTRA_AWS_AUDIENCE: "api://x",
        AZURE_CLIENT_ID: "c",
      },
    );
    assert.equal(s.roleArn, "arn:aws:iam::123456789012:role/opt");
    assert.equal(s.audience, "api://x");
    assert.equal(s.clientId, "c");
    assert.equal(s.region, "us-east-1");
  });
  for (const [input, pattern] of [
    [{ roleArn: "my-role", audience: "api://x" }, /not an IAM role ARN/],
    [
      { roleArn: "arn:aws:iam::123456789012:role/r", audience: "api://x/.default" },
      /ends with \/\.default/,
    ],
    [
      { roleArn: "arn:aws:iam::123456789012:role/r", audience: "api://x", durationSeconds: 60 },
      /900 to 43200/,
    ],
  ] as const) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => resolveSettings(input, {}), pattern);
    });
  }
  it("asks for <audience>/.default", () => {
    assert.equal(tokenScope("api://abc"), "api://abc/.default");
  });
});

describe("decodeJwtUnverified and redact", () => {
  const token = `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from('{"sub":"s","exp":1}').toString("base64url")}.c2ln`;
  it("decodes header and claims without verifying", () => {
    assert.deepEqual(decodeJwtUnverified(token), {
      header: { alg: "RS256" },
      claims: { sub: "s", exp: 1 },
    });
  });
  for (const bad of [
    "abc",
    "a.b",
    "a.b.c.d",
    "e30.!!.x",
    `e30.${Buffer.from("[1]").toString("base64url")}.x`,
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      assert.throws(() => decodeJwtUnverified(bad), /token/));
  }
  it("redacts JWT-shaped text and the given secret values, longest first", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    assert.equal(
      redact(`token eyJhbGciOi.eyJzdWIiOiJ4In0.sig key ${secret} prefix ${secret.slice(0, 12)}`, [
        secret.slice(0, 12),
        secret,
        "short",
        undefined,
      ]),
      "token [redacted-jwt] key [redacted] prefix [redacted]",
    );
  });
  it("strips terminal control sequences, keeping tab and newline, before redacting", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    assert.equal(
      redact(
        `a\u001b[31mred\u001b[0m b\u001b]0;title\u0007 c\u001b]8;;http://x\u001b\\link d\r\u0000\u007f\u009b\u202eevil\u2069\te\nf ${secret.slice(0, 10)}\u001b[0m${secret.slice(10)}`,
        [secret],
      ),
      "ared b clink devil\te\nf [redacted]",
    );
  });

  it("leaves ARNs with long role names, paths and other long values intact", () => {
    const text = [
      "arn:aws:iam::123456789012:role/OrdersApiProductionReadOnlyAccessForS3",
      "/home/someone/.cache/entra-aws-credentials/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.json",
      "api://00000000-0000-0000-0000-000000000000",
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
    ].join(" ");
    assert.equal(redact(text, ["not-in-the-text"]), text);
  });
});
