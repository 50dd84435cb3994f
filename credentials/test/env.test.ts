import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../src/cli";
import { captureIo } from "./support/io";

const tenantId = "11111111-2222-3333-4444-555555555555";
const outputs = {
  tenantId,
  issuerUrl: `https://sts.windows.net/${tenantId}/`,
  audience: "api://aaaaaaaa-0000-0000-0000-000000000001",
  tokenScope: "api://aaaaaaaa-0000-0000-0000-000000000001/.default",
  applicationClientId: "aaaaaaaa-0000-0000-0000-000000000001",
  servicePrincipalObjectId: "bbbbbbbb-0000-0000-0000-000000000001",
  appRoleId: "cccccccc-0000-0000-0000-000000000001",
  appRoleValue: "AssumeRoleWithWebIdentity",
  oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${tenantId}/`,
  identities: {
    "app-reader": {
      clientId: "c1000000-0000-0000-0000-000000000001",
      principalId: "p1000000-0000-0000-0000-000000000001",
      resourceId:
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-reader",
    },
    "legacy-vm": {
      clientId: "c2000000-0000-0000-0000-000000000002",
      principalId: "p2000000-0000-0000-0000-000000000002",
    },
  },
  callerApps: {
    synapse: {
      clientId: "c3000000-0000-0000-0000-000000000003",
      servicePrincipalObjectId: "p3000000-0000-0000-0000-000000000003",
      clientSecret: "s3cr'et$value",
    },
    hidden: {
      clientId: "c4000000-0000-0000-0000-000000000004",
      servicePrincipalObjectId: "p4000000-0000-0000-0000-000000000004",
      clientSecret: "[secret]",
    },
  },
  roles: {
    "s3-reader": {
      arn: "arn:aws:iam::123456789012:role/s3-reader",
      name: "s3-reader",
      subjects: [
        "p1000000-0000-0000-0000-000000000001",
        "p3000000-0000-0000-0000-000000000003",
        "p4000000-0000-0000-0000-000000000004",
      ],
    },
    "s3-admin": {
      arn: "arn:aws:iam::123456789012:role/s3-admin",
      name: "s3-admin",
      subjects: ["p2000000-0000-0000-0000-000000000002"],
    },
  },
};

describe("env command (stack outputs → environment variables)", () => {
  let tmp: string;
  let file: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "entra-aws-env-"));
    file = path.join(tmp, "outputs.json");
    fs.writeFileSync(file, JSON.stringify(outputs));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function env(args: string[], stdin = "") {
    const io = captureIo({}, stdin);
    const code = await main(["env", ...args], io);
    return { code, out: io.out, err: io.err };
  }

  it("prints the variables for a managed identity and a role that trusts it (json)", async () => {
    const r = await env([
      "--outputs",
      file,
      "--identity",
      "app-reader",
      "--role",
      "s3-reader",
      "--format",
      "json",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), {
      AZURE_CLIENT_ID: "c1000000-0000-0000-0000-000000000001",
      AZURE_TENANT_ID: tenantId,
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/s3-reader",
      ENTRA_AWS_AUDIENCE: outputs.audience,
    });
    assert.equal(r.err, "");
  });

  it("prints AWS_ROLE_SESSION_NAME only for --session-name, sanitized", async () => {
    const r = await env([
      "--outputs",
      file,
      "--identity",
      "app-reader",
      "--role",
      "s3-reader",
      "--format",
      "dotenv",
      "--session-name",
      "nightly batch #7",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        "AZURE_CLIENT_ID=c1000000-0000-0000-0000-000000000001",
        `AZURE_TENANT_ID=${tenantId}`,
        "AWS_ROLE_ARN=arn:aws:iam::123456789012:role/s3-reader",
        "AWS_ROLE_SESSION_NAME=nightly-batch-7",
        `ENTRA_AWS_AUDIENCE=${outputs.audience}`,
        "",
      ].join("\n"),
    );
  });

  it("prints dotenv and shell formats (default shell), reading outputs from stdin", async () => {
    const dotenv = await env(
      ["--outputs", "-", "--identity", "legacy-vm", "--role", "s3-admin", "--format", "dotenv"],
      JSON.stringify(outputs),
    );
    assert.match(dotenv.out, /^AZURE_CLIENT_ID=c2000000-0000-0000-0000-000000000002$/m);
    assert.match(dotenv.out, /^ENTRA_AWS_AUDIENCE=api:\/\/aaaaaaaa-0000-0000-0000-000000000001$/m);
    const shell = await env(["--outputs", file, "--identity", "legacy-vm", "--role", "s3-admin"]);
    assert.match(shell.out, /^export AWS_ROLE_ARN='arn:aws:iam::123456789012:role\/s3-admin'$/m);
  });

  it("prints a caller app's client secret when present, quoted so a shell reads it back exactly", async () => {
    const r = await env(["--outputs", file, "--identity", "synapse", "--role", "s3-reader"]);
    assert.equal(r.code, 0, r.err);
    const echoed = execFileSync(
      "bash",
      ["-c", 'eval "$(cat)"; printf %s "$AZURE_CLIENT_SECRET|$AZURE_CLIENT_ID"'],
      { input: r.out },
    ).toString();
    assert.equal(echoed, "s3cr'et$value|c3000000-0000-0000-0000-000000000003");
  });

  it("omits a hidden ([secret]) client secret and says how to get it", async () => {
    const r = await env([
      "--outputs",
      file,
      "--identity",
      "hidden",
      "--role",
      "s3-reader",
      "--format",
      "json",
    ]);
    assert.equal(r.code, 0);
    assert.equal((JSON.parse(r.out) as Record<string, string>).AZURE_CLIENT_SECRET, undefined);
    assert.match(r.err, /--show-secrets/);
  });

  it("refuses a role whose subjects do not contain the identity's principalId", async () => {
    const r = await env(["--outputs", file, "--identity", "app-reader", "--role", "s3-admin"]);
    assert.equal(r.code, 1);
    assert.equal(r.out, "");
    assert.match(r.err, /Role "s3-admin" does not trust "app-reader"/);
    assert.match(r.err, /p1000000-0000-0000-0000-000000000001/);
    assert.match(r.err, /Roles that trust it: s3-reader/);
  });

  it("refuses unknown names and lists the known ones", async () => {
    const role = await env(["--outputs", file, "--identity", "app-reader", "--role", "nope"]);
    assert.equal(role.code, 1);
    assert.match(role.err, /Unknown role "nope"\. Known roles: s3-reader, s3-admin/);
    const id = await env(["--outputs", file, "--identity", "nobody", "--role", "s3-reader"]);
    assert.equal(id.code, 1);
    assert.match(
      id.err,
      /Unknown identity "nobody"\. Known: app-reader \(identity\), legacy-vm \(identity\), synapse \(caller app\), hidden \(caller app\)/,
    );
  });

  it("says to use --show-secrets when the whole callerApps output is hidden", async () => {
    const r = await env(
      ["--outputs", "-", "--identity", "synapse", "--role", "s3-reader"],
      JSON.stringify({ ...outputs, callerApps: "[secret]" }),
    );
    assert.equal(r.code, 1);
    assert.match(r.err, /callerApps is "\[secret\]".*--show-secrets/);
  });

  it("names an unreadable outputs file by its whole path, even with long segments", async () => {
    const missing = path.join(tmp, "StackOutputsOrdersApiProductionWestEurope2024", "out.json");
    const r = await env(["--outputs", missing, "--identity", "app-reader", "--role", "s3-reader"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      `entra-aws-credentials: Cannot read the stack outputs ${missing}: ENOENT: no such file or directory, open '${missing}'\n`,
    );
  });

  it("rejects malformed outputs and bad arguments clearly", async () => {
    assert.match(
      (await env(["--outputs", "-", "--identity", "a", "--role", "b"], "nope")).err,
      /not JSON/,
    );
    assert.match(
      (await env(["--outputs", "-", "--identity", "a", "--role", "b"], "{}")).err,
      /no "tenantId"/,
    );
    assert.match((await env(["--outputs", file, "--identity", "app-reader"])).err, /--role/);
    assert.match(
      (
        await env([
          "--outputs",
          file,
          "--identity",
          "app-reader",
          "--role",
          "s3-reader",
          "--format",
          "xml",
        ])
      ).err,
      /--format/,
    );
  });

  describe("the cloud output", () => {
    const json = (o: object) =>
      env(
        ["--outputs", "-", "--identity", "app-reader", "--role", "s3-reader", "--format", "json"],
        JSON.stringify(o),
      );
    const base = {
      AZURE_CLIENT_ID: "c1000000-0000-0000-0000-000000000001",
      AZURE_TENANT_ID: tenantId,
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/s3-reader",
      ENTRA_AWS_AUDIENCE: outputs.audience,
    };

    it("prints ENTRA_AWS_CLOUD for a stack in Azure China", async () => {
      const r = await json({ ...outputs, cloud: "AzureChina" });
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), { ...base, ENTRA_AWS_CLOUD: "AzureChina" });
      const shell = await env(
        ["--outputs", "-", "--identity", "app-reader", "--role", "s3-reader"],
        JSON.stringify({ ...outputs, cloud: "AzureChina" }),
      );
      assert.match(shell.out, /^export ENTRA_AWS_CLOUD='AzureChina'$/m);
    });

    it("prints none for AzurePublic, the helper's default, as for a stack that predates the output", async () => {
      const r = await json({ ...outputs, cloud: "AzurePublic" });
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), base);
    });

    for (const [what, cloud, message] of [
      [
        "an unknown cloud",
        "AzureGermany",
        `The stack outputs' "cloud" is "AzureGermany", not an Entra cloud: expected AzurePublic or AzureChina.`,
      ],
      [
        "a cloud that is no string",
        42,
        `The stack outputs' "cloud" is 42, not an Entra cloud: expected AzurePublic or AzureChina.`,
      ],
      [
        "AzureUSGovernment",
        "AzureUSGovernment",
        `The stack outputs' "cloud" AzureUSGovernment is not supported yet: no public Microsoft source confirms the v1 token issuer of Azure US Government tenants, and a wrong issuer would make every role unassumable.`,
      ],
    ] as const) {
      it(`refuses ${what}`, async () => {
        const r = await json({ ...outputs, cloud });
        assert.equal(r.code, 1);
        assert.equal(r.out, "");
        assert.equal(r.err, `entra-aws-credentials: ${message}\n`);
      });
    }
  });

  it("looks names up as the outputs' own entries, never as built-in properties", async () => {
    const role = await env(["--outputs", file, "--identity", "app-reader", "--role", "toString"]);
    assert.equal(role.code, 1);
    assert.equal(
      role.err,
      'entra-aws-credentials: Unknown role "toString". Known roles: s3-reader, s3-admin.\n',
    );
    const id = await env(["--outputs", file, "--identity", "constructor", "--role", "s3-reader"]);
    assert.equal(id.code, 1);
    assert.equal(
      id.err,
      'entra-aws-credentials: Unknown identity "constructor". Known: app-reader (identity), legacy-vm (identity), synapse (caller app), hidden (caller app).\n',
    );
  });

  it("reads outputs without identities (a stack with caller apps only)", async () => {
    const withoutIdentities: Partial<typeof outputs> = { ...outputs };
    delete withoutIdentities.identities;
    const r = await env(
      ["--outputs", "-", "--identity", "synapse", "--role", "s3-reader", "--format", "json"],
      JSON.stringify(withoutIdentities),
    );
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), {
      AZURE_CLIENT_ID: "c3000000-0000-0000-0000-000000000003",
      AZURE_TENANT_ID: tenantId,
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/s3-reader",
      ENTRA_AWS_AUDIENCE: outputs.audience,
      AZURE_CLIENT_SECRET: "s3cr'et$value",
    });
  });
  it("takes a multi-account stack's outputs: a role in any account, with no new flag", async () => {
    // As a stack with `accounts` and no role in the default account prints them: roles carry
    // accountId and account, oidcProviders lists each account's provider, no oidcProviderArn.
    const rest: Partial<typeof outputs> = { ...outputs };
    delete rest.oidcProviderArn;
    const provider = (accountId: string, shared: boolean) => ({
      arn: `arn:aws:iam::${accountId}:oidc-provider/sts.windows.net/${tenantId}/`,
      accountId,
      shared,
    });
    const multiAccount = {
      ...rest,
      oidcProviders: {
        analytics: provider("111122223333", true),
        datalake: provider("444455556666", false),
      },
      roles: {
        "reports-read": {
          arn: "arn:aws:iam::111122223333:role/reports-read",
          name: "reports-read",
          subjects: ["p1000000-0000-0000-0000-000000000001"],
          accountId: "111122223333",
          account: "analytics",
        },
        "lake-write": {
          arn: "arn:aws:iam::444455556666:role/lake-write",
          name: "lake-write",
          subjects: ["p1000000-0000-0000-0000-000000000001"],
          accountId: "444455556666",
          account: "datalake",
        },
      },
    };
    for (const [role, arn] of [
      ["reports-read", "arn:aws:iam::111122223333:role/reports-read"],
      ["lake-write", "arn:aws:iam::444455556666:role/lake-write"],
    ]) {
      const r = await env(
        ["--outputs", "-", "--identity", "app-reader", "--role", role!, "--format", "json"],
        JSON.stringify(multiAccount),
      );
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), {
        AZURE_CLIENT_ID: "c1000000-0000-0000-0000-000000000001",
        AZURE_TENANT_ID: tenantId,
        AWS_ROLE_ARN: arn,
        ENTRA_AWS_AUDIENCE: outputs.audience,
      });
      assert.equal(r.err, "");
    }
  });
});
