import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultSessionName } from "../src/sessionName";
import { runCli } from "./support/cli";
import { ENTRA_HOST, startEntraServer, type EntraServer } from "./support/entraServer";
import { resetFixture, sharedFixture, type Fixture } from "./support/fixture";

describe("caller app (client secret) end to end: process against loopback Entra and STS", function () {
  this.timeout(30_000);
  let f: Fixture;
  let entra: EntraServer;
  let tmp: string;
  const clientId = randomUUID();
  const servicePrincipalObjectId = randomUUID();
  const clientSecret = `Qx8~${randomUUID()}`;
  const roleArn = `arn:aws:iam::123456789012:role/caller-app-${randomUUID().slice(0, 8)}`;

  before(async () => {
    f = await sharedFixture();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "entra-aws-caller-"));
    entra = await startEntraServer({
      key: f.key,
      tenantId: f.tenantId,
      audience: f.audience,
      apps: new Map([[clientId, { clientSecret, servicePrincipalObjectId }]]),
      dir: tmp,
    });
    f.sts.options.roles.set(roleArn, {
      audience: f.audience,
      subjects: [servicePrincipalObjectId],
    });
  });
  beforeEach(() => {
    resetFixture(f);
    entra.tunnels.length = 0;
    entra.paths.length = 0;
    entra.hosts.length = 0;
    entra.tokenRequests.length = 0;
    entra.errorSuffix = () => "";
  });
  after(async () => {
    try {
      // Unset when before() failed part-way.
      if ((entra as EntraServer | undefined) !== undefined) await entra.close();
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  /** No IDENTITY_ENDPOINT: a managed identity is not available, only the client secret. */
  const env = (secret: string): NodeJS.ProcessEnv => ({
    HOME: tmp,
    ...entra.env,
    AZURE_CLIENT_ID: clientId,
    AZURE_TENANT_ID: f.tenantId,
    AZURE_CLIENT_SECRET: secret,
    AWS_ROLE_ARN: roleArn,
    ENTRA_AWS_AUDIENCE: f.audience,
    AWS_ENDPOINT_URL_STS: f.sts.endpoint,
    AWS_REGION: "eu-west-1",
  });
  const stsCalls = () => f.sts.calls.filter((c) => c.roleArn === roleArn);

  it("uses the client secret credential and asks Entra for <audience>/.default", async () => {
    const run = await runCli(["process", "--no-cache"], env(clientSecret));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    assert.match((JSON.parse(run.stdout) as { AccessKeyId: string }).AccessKeyId, /^ASIA/);
    assert.deepEqual(entra.tokenRequests, [
      { clientId, scope: `${f.audience}/.default`, outcome: "ok" },
    ]);
    assert.deepEqual(entra.paths, [`POST /${f.tenantId}/oauth2/v2.0/token`]);
    assert.ok(entra.tunnels.length > 0);
    assert.deepEqual(new Set(entra.tunnels), new Set([`${ENTRA_HOST}:443`]));
    // STS accepted the token as the app's service principal (the role trusts only that sub).
    assert.deepEqual(
      stsCalls().map((c) => [c.outcome, c.sessionName]),
      [["ok", defaultSessionName(clientId)]],
    );
  });

  it("explains a wrong client secret, and never prints the secret it sent", async () => {
    const wrong = `Wr0ng~${randomUUID()}`;
    // Entra does not echo secrets; this one does, to show the helper keeps AZURE_CLIENT_SECRET
    // out of its message even then.
    entra.errorSuffix = (sent) => ` Sent: ${sent}.`;
    const stsBefore = stsCalls().length;
    const run = await runCli(["process", "--no-cache"], env(wrong));
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.ok(!run.stderr.includes(wrong), run.stderr);
    assert.match(run.stderr, /AADSTS7000215: Invalid client secret provided\./);
    assert.match(run.stderr, / Sent: \[redacted\]\./);
    assert.ok(
      run.stderr.endsWith(
        "Could not get an Entra ID token.\nLikely causes:\n  - The caller app's client secret is wrong or expired: get the current one from the stack outputs.\n",
      ),
      run.stderr,
    );
    assert.deepEqual(
      entra.tokenRequests.map((r) => r.outcome),
      ["invalid_client"],
    );
    assert.equal(stsCalls().length, stsBefore);
  });

  describe("in Azure China (ENTRA_AWS_CLOUD=AzureChina)", () => {
    const publicIssuer = () => `https://sts.windows.net/${f.tenantId}/`;
    const chinaIssuer = () => `https://sts.chinacloudapi.cn/${f.tenantId}/`;
    let publicAudiences: string[];
    before(() => {
      // The account trusts only the Azure China issuer: a token with another one is refused.
      publicAudiences = f.sts.options.providers.get(publicIssuer())!;
      f.sts.options.providers.delete(publicIssuer());
      f.sts.options.providers.set(chinaIssuer(), [f.audience]);
    });
    after(() => {
      f.sts.options.providers.delete(chinaIssuer());
      f.sts.options.providers.set(publicIssuer(), publicAudiences);
    });
    const chinaEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
      ...env(clientSecret),
      ENTRA_AWS_CLOUD: "AzureChina",
      ...extra,
    });
    const doctor = async (e: NodeJS.ProcessEnv) => {
      const run = await runCli(
        ["doctor", "--json", "--expected-subject", servicePrincipalObjectId],
        e,
      );
      const report = JSON.parse(run.stdout) as {
        ok: boolean;
        checks: { id: string; title: string; status: string; detail: string; fix?: string }[];
      };
      return { run, report, issuer: report.checks.find((c) => c.id === "issuer") };
    };

    it("asks Azure China's login host and exchanges a token with the Azure China issuer", async () => {
      const stsBefore = stsCalls().length;
      const run = await runCli(["process", "--no-cache"], chinaEnv());
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      assert.match((JSON.parse(run.stdout) as { AccessKeyId: string }).AccessKeyId, /^ASIA/);
      // The helper gives @azure/identity https://login.chinacloudapi.cn; MSAL sends the request
      // to that host's preferred network alias (@azure/msal-common AuthorityMetadata.mjs).
      assert.deepEqual(entra.tunnels, ["login.partner.microsoftonline.cn:443"]);
      assert.deepEqual(entra.hosts, ["login.partner.microsoftonline.cn"]);
      assert.deepEqual(entra.tokenRequests, [
        { clientId, scope: `${f.audience}/.default`, outcome: "ok" },
      ]);
      assert.deepEqual(
        stsCalls()
          .slice(stsBefore)
          .map((c) => c.outcome),
        ["ok"],
      );
    });

    it("doctor expects the Azure China issuer, and STS accepts the token", async () => {
      const { run, report, issuer } = await doctor(chinaEnv());
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.equal(report.ok, true);
      assert.deepEqual(issuer, {
        id: "issuer",
        title: "Issuer is https://sts.chinacloudapi.cn/<tenantId>/",
        status: "pass",
        detail: `iss = ${chinaIssuer()}`,
      });
      assert.equal(report.checks.find((c) => c.id === "sts")?.status, "pass");
    });

    it("AZURE_AUTHORITY_HOST still wins: a public login host gives a public token, which doctor flags for AzureChina", async () => {
      const stsBefore = stsCalls().length;
      const { run, report, issuer } = await doctor(
        chinaEnv({ AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com" }),
      );
      assert.equal(run.code, 2, run.stderr);
      assert.deepEqual(entra.tunnels, ["login.microsoftonline.com:443"]);
      assert.equal(report.ok, false);
      assert.deepEqual(issuer, {
        id: "issuer",
        title: "Issuer is https://sts.chinacloudapi.cn/<tenantId>/",
        status: "fail",
        detail: `iss = ${JSON.stringify(publicIssuer())}`,
        fix: `The token is from AzurePublic (issuer https://sts.windows.net/<tenantId>/), not AzureChina: set ENTRA_AWS_CLOUD (or --cloud) to the federation's cloud (stack output cloud), and unset AZURE_AUTHORITY_HOST unless it is that cloud's login host. Expected ${chinaIssuer()} (with the trailing slash); the IAM OIDC provider URL must be exactly that.`,
      });
      assert.equal(stsCalls().length, stsBefore, "doctor stops before STS");
    });

    it("and the other way round: an Azure China token is flagged for AzurePublic (the default)", async () => {
      const publicEnv = chinaEnv({ AZURE_AUTHORITY_HOST: "https://login.chinacloudapi.cn" });
      delete publicEnv.ENTRA_AWS_CLOUD;
      const { run, issuer } = await doctor(publicEnv);
      assert.equal(run.code, 2, run.stderr);
      assert.deepEqual(entra.tunnels, ["login.partner.microsoftonline.cn:443"]);
      assert.deepEqual(issuer, {
        id: "issuer",
        title: "Issuer is https://sts.windows.net/<tenantId>/",
        status: "fail",
        detail: `iss = ${JSON.stringify(chinaIssuer())}`,
        fix: `The token is from AzureChina (issuer https://sts.chinacloudapi.cn/<tenantId>/), not AzurePublic: set ENTRA_AWS_CLOUD (or --cloud) to the federation's cloud (stack output cloud), and unset AZURE_AUTHORITY_HOST unless it is that cloud's login host. Expected ${publicIssuer()} (with the trailing slash); the IAM OIDC provider URL must be exactly that.`,
      });
    });
  });
});
