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
});
