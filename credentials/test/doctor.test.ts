import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../src/cli";
import { runDoctor } from "../src/doctor";
import { checkClaims, type CheckResult, type ClaimExpectations } from "../src/doctor/claims";
import { entraCloud } from "../src/entraCloud";
import type { JwtClaims } from "../src/jwt";
import { resetFixture, sharedFixture, type Fixture } from "./support/fixture";
import { closedLoopbackUrl } from "./support/loopback";
import { captureIo } from "./support/io";
import { entraClaims, generateTestKey, signJwt } from "./support/jwt";

const tid = "11111111-2222-3333-4444-555555555555";
const principal = "aaaaaaaa-0000-0000-0000-000000000001";
const client = "cccccccc-0000-0000-0000-000000000002";
const audience = "api://dddddddd-0000-0000-0000-000000000003";
const now = 1_800_000_000;
const good: JwtClaims = entraClaims({
  tenantId: tid,
  audience,
  principalId: principal,
  clientId: client,
  issuedAt: now - 60,
  lifetimeSeconds: 3600,
});
const expect: ClaimExpectations = {
  audience,
  tenantId: tid,
  expectedSubject: principal,
  appRole: "AssumeRoleWithWebIdentity",
};

function run(
  claims: Partial<JwtClaims>,
  e: Partial<ClaimExpectations> = {},
  header = { alg: "RS256" },
): Record<string, CheckResult> {
  const results = checkClaims({ ...good, ...claims }, header, { ...expect, ...e }, now);
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

describe("doctor claim checks (table)", () => {
  it("passes every check for a correct v1 token", () => {
    const r = run({});
    assert.deepEqual(
      Object.values(r).map((c) => [c.id, c.status]),
      [
        ["version", "pass"],
        ["issuer", "pass"],
        ["audience", "pass"],
        ["subject", "pass"],
        ["app-role", "pass"],
        ["expiry", "pass"],
      ],
    );
  });

  const table: [
    string,
    Partial<JwtClaims>,
    Partial<ClaimExpectations>,
    string,
    CheckResult["status"],
    RegExp,
  ][] = [
    ["a v2 token", { ver: "2.0" }, {}, "version", "fail", /requestedAccessTokenVersion = 1/],
    [
      "a v2 issuer",
      { iss: `https://login.microsoftonline.com/${tid}/v2.0` },
      {},
      "issuer",
      "fail",
      /v2\.0 issuer/,
    ],
    [
      "an issuer without the trailing slash",
      { iss: `https://sts.windows.net/${tid}` },
      {},
      "issuer",
      "fail",
      /trailing slash/,
    ],
    [
      "another tenant",
      { iss: `https://sts.windows.net/${randomUUID()}/` },
      {},
      "issuer",
      "fail",
      /another tenant/,
    ],
    [
      "no tenant to compare with",
      { tid: undefined },
      { tenantId: undefined },
      "issuer",
      "fail",
      /tenant id/,
    ],
    [
      "a tenant taken from the token's own tid (not verified)",
      {},
      { tenantId: undefined },
      "issuer",
      "warn",
      /tenant taken from the token, not verified: pass --tenant-id or AZURE_TENANT_ID/,
    ],
    [
      "the bare app id as aud",
      { aud: "dddddddd-0000-0000-0000-000000000003" },
      {},
      "audience",
      "fail",
      /bare app id/,
    ],
    ["another audience", { aud: "api://other" }, {}, "audience", "fail", /client IDs/],
    [
      "the client id given as subject",
      {},
      { expectedSubject: client },
      "subject",
      "fail",
      /is the client id/,
    ],
    [
      "another identity",
      {},
      { expectedSubject: randomUUID() },
      "subject",
      "fail",
      /service principal object id/,
    ],
    ["no expected subject", {}, { expectedSubject: undefined }, "subject", "warn", /principalId/],
    ["a missing app role", { roles: [] }, {}, "app-role", "fail", /AppRoleAssignment/],
    ["another app role", { roles: ["Reader"] }, {}, "app-role", "fail", /app role/],
    [
      "no roles and no --app-role",
      { roles: undefined },
      { appRole: undefined },
      "app-role",
      "warn",
      /assign the identity/,
    ],
    ["an expired token", { exp: now - 400 }, {}, "expiry", "fail", /new token/],
    ["expiry within IAM's skew", { exp: now - 100 }, {}, "expiry", "warn", /5 minutes/],
    [
      "a clock behind the issuer",
      { iat: now + 900, nbf: now + 900, exp: now + 4500 },
      {},
      "expiry",
      "fail",
      /NTP/,
    ],
    ["no exp", { exp: undefined }, {}, "expiry", "fail", /not an Entra access token/],
  ];
  for (const [what, claims, e, id, status, fix] of table) {
    it(`diagnoses ${what}`, () => {
      const result = run(claims, e)[id]!;
      assert.equal(result.status, status, JSON.stringify(result));
      assert.match(`${result.detail} ${result.fix ?? ""}`, fix);
    });
  }
  it("diagnoses a token not signed with RS256", () => {
    assert.equal(run({}, {}, { alg: "HS256" }).algorithm!.status, "fail");
  });
});

describe("doctor claim checks follow the cloud", () => {
  const china = entraCloud("AzureChina");
  const chinaIssuer = `https://sts.chinacloudapi.cn/${tid}/`;
  const publicIssuer = `https://sts.windows.net/${tid}/`;
  const issuer = (iss: string, cloud = china): CheckResult => run({ iss }, { cloud }).issuer!;

  it("passes an Azure China token, titled with the Azure China issuer", () => {
    assert.deepEqual(issuer(chinaIssuer), {
      id: "issuer",
      title: "Issuer is https://sts.chinacloudapi.cn/<tenantId>/",
      status: "pass",
      detail: `iss = ${chinaIssuer}`,
    });
  });

  it("flags a public token for AzureChina, and an Azure China token for AzurePublic", () => {
    const hint =
      "set ENTRA_AWS_CLOUD (or --cloud) to the federation's cloud (stack output cloud), and unset AZURE_AUTHORITY_HOST unless it is that cloud's login host.";
    assert.deepEqual(issuer(publicIssuer), {
      id: "issuer",
      title: "Issuer is https://sts.chinacloudapi.cn/<tenantId>/",
      status: "fail",
      detail: `iss = "${publicIssuer}"`,
      fix: `The token is from AzurePublic (issuer https://sts.windows.net/<tenantId>/), not AzureChina: ${hint} Expected ${chinaIssuer} (with the trailing slash); the IAM OIDC provider URL must be exactly that.`,
    });
    assert.deepEqual(issuer(chinaIssuer, entraCloud("AzurePublic")), {
      id: "issuer",
      title: "Issuer is https://sts.windows.net/<tenantId>/",
      status: "fail",
      detail: `iss = "${chinaIssuer}"`,
      fix: `The token is from AzureChina (issuer https://sts.chinacloudapi.cn/<tenantId>/), not AzurePublic: ${hint} Expected ${publicIssuer} (with the trailing slash); the IAM OIDC provider URL must be exactly that.`,
    });
  });

  it("names the cloud's trailing slash, other tenant and v2 issuer", () => {
    assert.equal(issuer(chinaIssuer.slice(0, -1)).fix, "The issuer lacks the trailing slash.");
    assert.match(
      issuer(`https://sts.chinacloudapi.cn/${randomUUID()}/`).fix!,
      /^The token is from another tenant than /,
    );
    assert.match(
      issuer(`https://login.chinacloudapi.cn/${tid}/v2.0`).fix!,
      /^This is a v2\.0 issuer: /,
    );
  });

  it("reports skipped checks and STS causes with the cloud's issuer", async () => {
    const failedToken = await runDoctor(
      { ...expect, cloud: china },
      { nowSeconds: now, getToken: () => Promise.reject(new Error("no token")) },
    );
    assert.equal(
      failedToken.checks.find((c) => c.id === "issuer")!.title,
      "Issuer is https://sts.chinacloudapi.cn/<tenantId>/",
    );
    const denied = await runDoctor(
      { ...expect, cloud: china },
      {
        token: signJwt(generateTestKey(), { ...good, iss: chinaIssuer }),
        nowSeconds: now,
        assumeRole: () =>
          Promise.reject(Object.assign(new Error("Not authorized"), { name: "AccessDenied" })),
      },
    );
    assert.match(
      denied.checks.find((c) => c.id === "sts")!.fix!,
      / The trust policy's condition keys must be sts\.chinacloudapi\.cn\/<tenantId>\/:aud and :sub /,
    );
  });
});

describe("doctor STS step", () => {
  it("redacts the token it checked and any JWT in the STS error message it reports", async () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl";
    const token = signJwt(generateTestKey(), good);
    const roleArn = "arn:aws:iam::123456789012:role/OrdersApiProductionReadOnlyAccessForS3";
    const report = await runDoctor(expect, {
      token,
      nowSeconds: now,
      assumeRole: () =>
        Promise.reject(
          Object.assign(
            new Error(`Incorrect token audience for ${jwt} (sent ${token}) on ${roleArn}`),
            { name: "InvalidIdentityTokenException" },
          ),
        ),
    });
    const sts = report.checks.find((c) => c.id === "sts")!;
    assert.equal(sts.status, "fail");
    assert.equal(
      sts.detail,
      // The token checked is a known value ([redacted]); any other JWT is caught by its shape.
      `InvalidIdentityToken: Incorrect token audience for [redacted-jwt] (sent [redacted]) on ${roleArn} — AWS STS rejected the Entra token (issuer, audience or signature).`,
    );
    assert.ok(!JSON.stringify(report).includes(token));
  });
});

describe("doctor command (loopback Entra and STS)", function () {
  let f: Fixture;
  before(async () => {
    f = await sharedFixture();
  });
  beforeEach(() => resetFixture(f));
  /** A one-hour token of the fixture's tenant and audience for `id`, issued at `issuedAt` (s). */
  const tokenFor = (
    id: { clientId: string; principalId: string },
    issuedAt = Math.floor(Date.now() / 1000),
  ) =>
    signJwt(
      f.key,
      entraClaims({
        tenantId: f.tenantId,
        audience: f.audience,
        principalId: id.principalId,
        clientId: id.clientId,
        issuedAt,
        lifetimeSeconds: 3600,
      }),
    );

  const args = (
    id: { clientId: string; roleArn: string; principalId: string },
    extra: string[] = [],
  ): string[] => [
    "doctor",
    "--role-arn",
    id.roleArn,
    "--audience",
    f.audience,
    "--client-id",
    id.clientId,
    "--tenant-id",
    f.tenantId,
    "--expected-subject",
    id.principalId,
    "--app-role",
    "AssumeRoleWithWebIdentity",
    "--sts-endpoint",
    f.sts.endpoint,
    ...extra,
  ];
  const stsCalls = (roleArn: string) => f.sts.calls.filter((c) => c.roleArn === roleArn).length;

  it("prints a passing checklist and exits 0 for a correct setup", async () => {
    const id = f.newIdentity();
    const io = captureIo();
    assert.equal(await main(args(id), io), 0, io.err + io.out);
    for (const title of [
      "Obtained an Entra token",
      "Token version is 1.0",
      "Issuer is",
      "aud equals",
      "sub is the expected",
      "The app role",
      "Token is not expired",
      "AWS STS",
    ]) {
      assert.match(io.out, new RegExp(`\\[ok\\]\\s+${title}`));
    }
    assert.match(io.out, /All checks passed/);
    assert.doesNotMatch(io.out + io.err, /eyJ|ASIA/);
    assert.equal(stsCalls(id.roleArn), 1);
  });

  it("--json prints the checks for machines", async () => {
    const id = f.newIdentity();
    const io = captureIo();
    assert.equal(await main(args(id, ["--json"]), io), 0);
    const report = JSON.parse(io.out) as { ok: boolean; checks: { id: string; status: string }[] };
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.checks.map((c) => c.id),
      ["token", "decode", "version", "issuer", "audience", "subject", "app-role", "expiry", "sts"],
    );
  });

  it("stops at the first failing check (a v2 token) without calling STS, exit 2", async () => {
    const id = f.newIdentity();
    f.mi.options.version = () => "2.0";
    const io = captureIo();
    assert.equal(await main(args(id, ["--json"]), io), 2);
    const report = JSON.parse(io.out) as { ok: boolean; checks: { id: string; status: string }[] };
    assert.equal(report.ok, false);
    const statuses = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    assert.equal(statuses.version, "fail");
    assert.equal(statuses.issuer, "skip");
    assert.equal(statuses.sts, "skip");
    assert.equal(stsCalls(id.roleArn), 0);
  });

  it("diagnoses a missing app role assignment", async () => {
    const id = f.newIdentity({ roles: [] });
    const io = captureIo();
    assert.equal(await main(args(id), io), 2);
    assert.match(io.out, /\[FAIL\] The app role is in roles/);
    assert.match(io.out, /fix: Assign the identity the app role/);
  });

  it("diagnoses the wrong expected subject (the client id)", async () => {
    const id = f.newIdentity();
    const io = captureIo();
    assert.equal(await main(args({ ...id, principalId: id.clientId }), io), 2);
    assert.match(io.out, /\[FAIL\] sub is the expected principal/);
  });

  it("maps STS AccessDenied to its cause when every claim is right but the role does not trust the sub", async () => {
    const id = f.newIdentity({ trusted: false });
    const io = captureIo();
    assert.equal(await main(args(id), io), 2);
    assert.match(io.out, /\[FAIL\] AWS STS AssumeRoleWithWebIdentity: AccessDenied/);
    assert.match(io.out, /principalId/);
    assert.equal(stsCalls(id.roleArn), 1);
  });

  it("maps STS InvalidIdentityToken (audience not in the provider's client IDs)", async () => {
    const id = f.newIdentity();
    const other = `api://${randomUUID()}`;
    f.sts.options.roles.get(id.roleArn)!.audience = other;
    const io = captureIo();
    const a = args(id);
    a[a.indexOf("--audience") + 1] = other;
    assert.equal(await main(a, io), 2);
    assert.match(io.out, /\[ok\]\s+aud equals the audience/);
    assert.match(
      io.out,
      /\[FAIL\] AWS STS AssumeRoleWithWebIdentity: InvalidIdentityToken: Incorrect token audience/,
    );
    assert.match(io.out, /client ID list/);
  });

  it("checks a given token (--token -) without getting one, and diagnoses its expiry", async () => {
    const id = f.newIdentity();
    const issuedAt = Math.floor(Date.now() / 1000) - 7200;
    const token = tokenFor(id, issuedAt);
    const io = captureIo({}, `${token}\n`);
    assert.equal(await main([...args(id), "--token", "-"], io), 2);
    assert.match(io.out, /\[ok\]\s+Obtained an Entra token: token given/);
    assert.match(io.out, /\[FAIL\] Token is not expired/);
    assert.ok(!io.out.includes(token));
    assert.equal(f.mi.byClient.get(id.clientId) ?? 0, 0);
  });

  it("refuses a literal --token value with one line, without echoing it or getting a token", async () => {
    const id = f.newIdentity();
    const token = tokenFor(id);
    const io = captureIo();
    assert.equal(await main([...args(id), "--token", token], io), 1);
    assert.equal(io.out, "");
    assert.equal(
      io.err,
      "entra-aws-credentials: --token takes only - (stdin): a token on the command line is visible in ps and shell history; use --token - or --token-file <path>.\n",
    );
    assert.equal(f.mi.byClient.get(id.clientId) ?? 0, 0);
    assert.equal(stsCalls(id.roleArn), 0);
  });

  it("checks a token read from --token-file", async () => {
    const id = f.newIdentity();
    const token = tokenFor(id);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-aws-doctor-"));
    try {
      const file = path.join(dir, "token");
      fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
      const io = captureIo();
      assert.equal(await main([...args(id), "--token-file", file], io), 0, io.out + io.err);
      assert.match(io.out, /\[ok\]\s+Obtained an Entra token: token given/);
      assert.match(io.out, /\[ok\]\s+AWS STS AssumeRoleWithWebIdentity/);
      assert.ok(!io.out.includes(token));
      assert.equal(f.mi.byClient.get(id.clientId) ?? 0, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports an Entra failure as the first failing check", async () => {
    const id = f.newIdentity();
    const io = captureIo();
    const a = args({ ...id, clientId: randomUUID() });
    assert.equal(await main(a, io), 2);
    assert.match(io.out, /\[FAIL\] Obtained an Entra token/);
  });

  it("warns, without failing, when the tenant comes from the token (text and --json)", async () => {
    const id = f.newIdentity();
    const a = args(id);
    a.splice(a.indexOf("--tenant-id"), 2);
    const text = captureIo();
    assert.equal(await main(a, text), 0, text.err + text.out);
    assert.match(
      text.out,
      /\[warn\] Issuer is https:\/\/sts\.windows\.net\/<tenantId>\/: iss = \S+; tenant taken from the token, not verified: pass --tenant-id or AZURE_TENANT_ID\n\s+fix: Pass the federation's tenant id/,
    );
    assert.doesNotMatch(text.out, /\[ok\]\s+Issuer/);
    assert.match(text.out, /All checks passed/);
    const json = captureIo();
    assert.equal(await main([...a, "--json"], json), 0);
    const report = JSON.parse(json.out) as {
      ok: boolean;
      checks: { id: string; status: string; detail: string }[];
    };
    assert.equal(report.ok, true);
    const issuer = report.checks.find((c) => c.id === "issuer")!;
    assert.equal(issuer.status, "warn");
    assert.equal(
      issuer.detail,
      `iss = https://sts.windows.net/${f.tenantId}/; tenant taken from the token, not verified: pass --tenant-id or AZURE_TENANT_ID`,
    );
  });

  it("--no-sts skips the STS call", async () => {
    const id = f.newIdentity();
    const io = captureIo();
    assert.equal(await main([...args(id), "--no-sts"], io), 0);
    assert.match(io.out, /\[skip\] AWS STS/);
    assert.equal(stsCalls(id.roleArn), 0);
  });

  describe("redacts IDENTITY_HEADER and AZURE_CLIENT_SECRET echoed by STS, and strips terminal controls, as every command does", () => {
    const clientSecret = "Qx8~caller-app-secret-value";
    const run = async (extra: string[]): Promise<string> => {
      const id = f.newIdentity({ trusted: false });
      const token = tokenFor(id);
      // A contrived STS message that echoes both secrets, with ANSI colour and a bell.
      f.sts.stickyFault = {
        code: "AccessDenied",
        message: `Not authorized (header ${f.mi.secret}, secret ${clientSecret}) \u001b[31mred\u001b[0m\u0007`,
        status: 403,
      };
      // The token comes on stdin, so the caller app these variables select never asks Entra.
      const io = captureIo(
        { IDENTITY_HEADER: f.mi.secret, AZURE_CLIENT_SECRET: clientSecret },
        `${token}\n`,
      );
      assert.equal(await main([...args(id), "--token", "-", ...extra], io), 2);
      assert.equal(io.err, "");
      assert.ok(!io.out.includes(f.mi.secret) && !io.out.includes(clientSecret), io.out);
      return io.out;
    };
    const detail =
      "AccessDenied: Not authorized (header [redacted], secret [redacted]) red — The role's trust policy does not allow this token to assume it.";

    it("text", async () => {
      const out = await run([]);
      assert.ok(out.includes(`[FAIL] AWS STS AssumeRoleWithWebIdentity: ${detail}\n`), out);
      assert.ok(!out.includes("\u001b") && !out.includes("\u0007"), "control characters printed");
    });

    it("--json", async () => {
      const report = JSON.parse(await run(["--json"])) as {
        checks: { id: string; detail: string }[];
      };
      assert.equal(report.checks.find((c) => c.id === "sts")!.detail, detail);
    });
  });

  it("says STS never answered and names the endpoint and AWS_ENDPOINT_URL_STS", async () => {
    const id = f.newIdentity();
    const sts = await closedLoopbackUrl();
    const a = args(id);
    a.splice(a.indexOf("--sts-endpoint"), 2);
    const io = captureIo({ AWS_ENDPOINT_URL_STS: sts, AWS_REGION: "eu-west-1" });
    assert.equal(await main([...a, "--json"], io), 2);
    const report = JSON.parse(io.out) as {
      checks: { id: string; detail: string; fix: string }[];
    };
    const check = report.checks.find((c) => c.id === "sts")!;
    assert.equal(
      check.detail,
      `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${new URL(sts).port} — AWS STS never answered: ECONNREFUSED from ${sts}.`,
    );
    assert.equal(
      check.fix,
      `AWS_ENDPOINT_URL_STS is set to ${sts}: check that URL, or unset it to use the regional endpoint of eu-west-1. Check network access to ${sts}: firewall, proxy (HTTPS_PROXY), DNS, or the VPC endpoint.`,
    );
  });
});
