import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { FederatedRole } from "../components/federatedRole";
import { entraCloud, v1IssuerUrl } from "../lib/entra";
import {
  ACCOUNT_ID,
  fakeGuid,
  FakeClouds,
  runProgram,
  settle,
  TENANT_ID,
  valueOf,
} from "./fakeClouds";

const NS = "entra-aws-federation";
const EXISTING_PRINCIPAL = "1ea7e6e0-7876-4d1c-aec5-7b1c927ede74";
const EXISTING_CLIENT = "0b1d3e56-2f4a-4c1e-9d77-3a5e8f9c0d21";
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/sts.windows.net/${TENANT_ID}/`;
const AUDIENCE_CLIENT_ID = fakeGuid("app-client:federation-audience-app");

/** One existing identity, one role: the smallest useful stack. */
function minimal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    [`${NS}:identities`]: [{ name: "legacy-vm", principalId: EXISTING_PRINCIPAL }],
    [`${NS}:roles`]: [{ name: "legacy", identities: ["legacy-vm"] }],
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${NS}:${k}`, v])),
  };
}

const servicePrincipals = { [EXISTING_PRINCIPAL]: { clientId: EXISTING_CLIENT } };

/**
 * Asserts the deployment fails with exactly this message. Where the failed value feeds a resource,
 * the SDK prefixes where it was going ("error serializing property …: "), as the engine reports it.
 */
async function assertDeploymentFails(
  output: pulumi.Output<unknown>,
  message: string,
  from: { provider?: boolean } = {},
) {
  await assert.rejects(valueOf(output), (err: Error) => {
    if (!from.provider) {
      assert.ok(pulumi.ResourceError.isInstance(err), `a ResourceError, got ${String(err)}`);
    }
    const context = err.message.slice(0, err.message.length - message.length);
    assert.equal(err.message.slice(context.length), message);
    assert.match(context, /^(error serializing property "\w+": )*$/);
    return true;
  });
}

describe("existing identities", () => {
  it("looks up the service principal, assigns it the app role and creates no identity", async () => {
    const { clouds, program } = await runProgram(minimal(), { servicePrincipals });
    const outputs = await settle(program);
    assert.deepEqual(outputs.identities, {
      "legacy-vm": { clientId: EXISTING_CLIENT, principalId: EXISTING_PRINCIPAL },
    });
    assert.deepEqual(clouds.byName("federation-identity-legacy-vm-app-role").inputs, {
      appRoleId: await valueOf(program.appRoleId!),
      principalObjectId: EXISTING_PRINCIPAL,
      resourceObjectId: fakeGuid(`sp:${AUDIENCE_CLIENT_ID}`),
    });
    assert.deepEqual(clouds.custom("azure-native:managedidentity:UserAssignedIdentity"), []);
    assert.deepEqual(
      clouds.invokes.map((i) => [i.token, i.inputs]),
      [
        ["azuread:index/getClientConfig:getClientConfig", {}],
        ["aws:index/getPartition:getPartition", {}],
        ["azuread:index/getServicePrincipal:getServicePrincipal", { objectId: EXISTING_PRINCIPAL }],
      ],
    );
    assert.equal(clouds.custom().length, 8);
  });

  it("fails when the principal id is not a service principal (e.g. a client id)", async () => {
    const { program } = await runProgram(minimal(), { servicePrincipals: {} });
    // The azuread provider's own message, after the SDK's note of where the value was going.
    await assertDeploymentFails(
      program.identities!,
      `service principal with object ID "${EXISTING_PRINCIPAL}" was not found`,
      { provider: true },
    );
  });
});

describe("an existing resource group", () => {
  it("puts new identities where the group is when no location is configured", async () => {
    const { clouds, program } = await runProgram(
      minimal({
        resourceGroup: { name: "rg-shared" },
        identities: [{ name: "orders-api" }],
        roles: [{ name: "orders", identities: ["orders-api"] }],
      }),
    );
    await settle(program);
    assert.deepEqual(clouds.custom("azure-native:resources:ResourceGroup"), []);
    assert.deepEqual(clouds.byName("federation-identity-orders-api-mi").inputs, {
      resourceName: "orders-api",
      resourceGroupName: "rg-shared",
      location: "northeurope",
      tags: {},
    });
    assert.deepEqual(
      clouds.invokes.map((i) => [i.token, i.inputs]),
      [
        ["azuread:index/getClientConfig:getClientConfig", {}],
        ["aws:index/getPartition:getPartition", {}],
        ["azure-native:resources:getResourceGroup", { resourceGroupName: "rg-shared" }],
      ],
    );
  });
});

describe("the audience", () => {
  it("uses a configured identifier URI as the audience and token scope", async () => {
    const uri = `api://${TENANT_ID}/aws-dev`;
    const { clouds, program } = await runProgram(
      minimal({
        tenantId: TENANT_ID,
        application: { identifierUri: uri, appRoleValue: "Aws.Assume" },
      }),
      { servicePrincipals },
    );
    const outputs = await settle(program);
    assert.equal(outputs.audience, uri);
    assert.equal(outputs.tokenScope, `${uri}/.default`);
    assert.equal(outputs.appRoleValue, "Aws.Assume");
    assert.equal(clouds.byName("federation-audience-identifier-uri").inputs.identifierUri, uri);
    assert.deepEqual(clouds.byName("federation-oidc-provider").inputs.clientIdLists, [uri]);
  });
});

describe("an OIDC provider shared with other stacks", () => {
  it("keeps their audiences in its client ID list, after this stack's own", async () => {
    const others = [`api://${TENANT_ID}/team-b`, "api://11111111-2222-3333-4444-555555555555"];
    const { clouds, program } = await runProgram(
      minimal({ oidcProvider: { additionalAudiences: others } }),
      { servicePrincipals },
    );
    await settle(program);
    assert.deepEqual(clouds.byName("federation-oidc-provider").inputs.clientIdLists, [
      `api://${AUDIENCE_CLIENT_ID}`,
      ...others,
    ]);
  });
});

describe("OIDC provider thumbprints", () => {
  it("auto: the CA thumbprints of the issuer's and the JWKS host's chains, de-duplicated and sorted", async () => {
    const ca = (fingerprint: string) => ({ sha1Fingerprint: fingerprint, isCa: true });
    const leaf = (fingerprint: string) => ({ sha1Fingerprint: fingerprint, isCa: false });
    const certificates = {
      "https://sts.windows.net": [
        leaf("1111111111111111111111111111111111111111"),
        ca("DF3C24F9BFD666761B268073FE06D1CC8D4F82A4"),
        ca("b16d1c6f9a1e3f2b2c4d5e6f708192a3b4c5d6e7"),
      ],
      "https://login.microsoftonline.com": [
        leaf("2222222222222222222222222222222222222222"),
        ca("df3c24f9bfd666761b268073fe06d1cc8d4f82a4"),
        ca("626D44E704D1CEABE3BF0D53397464AC8080142C"),
      ],
    };
    const { clouds, program } = await runProgram(
      minimal({ oidcProvider: { thumbprints: "auto" } }),
      { servicePrincipals, certificates },
    );
    await settle(program);
    assert.deepEqual(clouds.byName("federation-oidc-provider").inputs.thumbprintLists, [
      "626d44e704d1ceabe3bf0d53397464ac8080142c",
      "b16d1c6f9a1e3f2b2c4d5e6f708192a3b4c5d6e7",
      "df3c24f9bfd666761b268073fe06d1cc8d4f82a4",
    ]);
    assert.deepEqual(
      clouds.invokes.filter((i) => i.token === "tls:index/getCertificate:getCertificate"),
      Object.keys(certificates).map((url) => ({
        token: "tls:index/getCertificate:getCertificate",
        inputs: { url },
        provider: undefined,
      })),
    );
  });

  it("auto: more CA thumbprints than IAM's five fails the deployment, naming them", async () => {
    const cas = (digits: string) =>
      [...digits].map((d) => ({ sha1Fingerprint: d.repeat(40), isCa: true }));
    const certificates = {
      "https://sts.windows.net": cas("123"),
      "https://login.microsoftonline.com": cas("456"),
    };
    const { clouds, program } = await runProgram(
      minimal({ oidcProvider: { thumbprints: "auto" } }),
      { servicePrincipals, certificates },
    );
    const six = [..."123456"].map((d) => d.repeat(40));
    await assertDeploymentFails(
      program.oidcProviderArn!,
      `oidcProvider.thumbprints: "auto" found 6 CA thumbprints in the certificate chains of https://sts.windows.net and https://login.microsoftonline.com ` +
        `(${six.join(", ")}), more than IAM's 5 per provider: pin at most 5 of them as oidcProvider.thumbprints, ` +
        `or use "none" (AWS then verifies the JWKS host against its trusted CAs)`,
    );
    assert.equal(clouds.custom("aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
  });

  it("pinned: exactly the configured list, with no lookup", async () => {
    const pinned = ["626d44e704d1ceabe3bf0d53397464ac8080142c"];
    const { clouds, program } = await runProgram(
      minimal({ oidcProvider: { thumbprints: pinned } }),
      {
        servicePrincipals,
      },
    );
    await settle(program);
    assert.deepEqual(clouds.byName("federation-oidc-provider").inputs.thumbprintLists, pinned);
    assert.equal(clouds.invokes.filter((i) => i.token.startsWith("tls:")).length, 0);
  });
});

describe("an existing OIDC provider", () => {
  async function withExisting(existingArn: string, existingProviderClientIds: string[]) {
    return runProgram(minimal({ oidcProvider: { existingArn } }), {
      servicePrincipals,
      existingProviderClientIds,
    });
  }

  it("is trusted as it is: no provider is created", async () => {
    const { clouds, program } = await withExisting(PROVIDER_ARN, [
      "api://other",
      `api://${AUDIENCE_CLIENT_ID}`,
    ]);
    const outputs = await settle(program);
    assert.equal(outputs.oidcProviderArn, PROVIDER_ARN);
    assert.deepEqual(clouds.custom("aws:iam/openIdConnectProvider:OpenIdConnectProvider"), []);
    const role = clouds.byName("federation-role-legacy-role").inputs;
    assert.deepEqual(
      (role.assumeRolePolicy as { Statement: { Principal: unknown }[] }).Statement[0]?.Principal,
      { Federated: PROVIDER_ARN },
    );
    // The program asks for the partition for the length check, the component again for the ARN
    // check: it verifies the provider through its own aws provider, not through its caller.
    assert.deepEqual(clouds.invokes.map((i) => i.token).sort(), [
      "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider",
      "aws:index/getCallerIdentity:getCallerIdentity",
      "aws:index/getPartition:getPartition",
      "aws:index/getPartition:getPartition",
      "azuread:index/getClientConfig:getClientConfig",
      "azuread:index/getServicePrincipal:getServicePrincipal",
    ]);
  });

  it("is checked against the configured cloud's issuer: AzureChina in aws-cn", async () => {
    const chinaArn = `arn:aws-cn:iam::${ACCOUNT_ID}:oidc-provider/sts.chinacloudapi.cn/${TENANT_ID}/`;
    const { clouds, program } = await runProgram(
      minimal({ cloud: "AzureChina", oidcProvider: { existingArn: chinaArn } }),
      {
        servicePrincipals,
        partition: "aws-cn",
        existingProviderClientIds: [`api://${AUDIENCE_CLIENT_ID}`],
      },
    );
    const outputs = await settle(program);
    assert.equal(outputs.oidcProviderArn, chinaArn);
    assert.deepEqual(clouds.custom("aws:iam/openIdConnectProvider:OpenIdConnectProvider"), []);
  });

  it("fails when its client ID list lacks the audience, saying how to add it", async () => {
    const { program } = await withExisting(PROVIDER_ARN, ["api://other"]);
    const audience = `api://${AUDIENCE_CLIENT_ID}`;
    await assertDeploymentFails(
      program.oidcProviderArn!,
      `the OIDC provider ${PROVIDER_ARN} does not list the audience ${audience} in its client IDs; have the stack that owns the provider add it to oidcProvider.additionalAudiences (or, for a provider no stack manages: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${PROVIDER_ARN} --client-id ${audience}) and deploy again`,
    );
  });

  // Another partition is refused before anything is registered (program.test.ts); another
  // account only the aws provider can tell.
  it("fails when it belongs to another account", async () => {
    const foreign = `arn:aws:iam::210987654321:oidc-provider/sts.windows.net/${TENANT_ID}/`;
    const { program } = await withExisting(foreign, []);
    await assertDeploymentFails(
      program.oidcProviderArn!,
      `oidcProvider.existingArn ${foreign} is not this account's provider for the Entra issuer: expected ${PROVIDER_ARN}`,
    );
  });
});

describe("FederatedRole re-checks the real trust policy against the quota", () => {
  it("fails the role when the real document is over the quota (a caller bypassing the config check)", async () => {
    await new FakeClouds().install();
    const subjects = Array.from(
      { length: 41 },
      (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
    );
    const role = new FederatedRole("too-long", {
      roleName: "too-long",
      oidcProviderArn: `arn:aws-us-gov:iam::${ACCOUNT_ID}:oidc-provider/sts.windows.net/${TENANT_ID}/`,
      issuerUrl: v1IssuerUrl(entraCloud("AzurePublic"), TENANT_ID),
      audience: `api://${TENANT_ID}/${"x".repeat(27)}`,
      subjects,
      trustPolicyMaxLength: 2048,
    });
    await assertDeploymentFails(
      role.arn,
      "trust policy of role too-long: makes a trust policy of 2052 characters, over the limit of 2048 (whitespace not counted); at most 40 subjects fit: split the identities across roles or raise trustPolicyMaxLength (up to 4096, after an IAM quota increase)",
    );
  });
});

describe("FederatedRole's ARN", () => {
  type WithResources = { resources(): Set<pulumi.Resource> };
  const namesOf = async (resources: Iterable<pulumi.Resource>) =>
    (await Promise.all([...resources].map((r) => valueOf(r.urn)))).map((urn) =>
      urn.slice(urn.lastIndexOf("::") + 2),
    );

  it("resolves only after the role's attachments, inline policies and exclusive policy sets", async () => {
    await new FakeClouds().install();
    const role = new FederatedRole("deps", {
      roleName: "deps",
      oidcProviderArn: PROVIDER_ARN,
      issuerUrl: v1IssuerUrl(entraCloud("AzurePublic"), TENANT_ID),
      audience: `api://${TENANT_ID}/aws`,
      subjects: [EXISTING_PRINCIPAL],
      trustPolicyMaxLength: 2048,
      managedPolicyArns: new Map([["ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]]),
      inlinePolicies: new Map([
        ["read", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*" }] }],
      ]),
    });
    assert.equal(await valueOf(role.arn), `arn:aws:iam::${ACCOUNT_ID}:role/deps`);
    // The resources an output carries are the ones the engine waits for before its consumers.
    const resources = (role.arn as unknown as WithResources).resources();
    assert.deepEqual((await namesOf(resources)).sort(), [
      "deps-inline-exclusive",
      "deps-inline-read",
      "deps-managed-ReadOnlyAccess",
      "deps-managed-exclusive",
      "deps-role",
    ]);
    await pulumi.runtime.disconnect();
  });
});
