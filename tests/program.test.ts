import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { envForIdentity, parseStackOutputs } from "../credentials/src/stackOutputs";
import { stableAppRoleId } from "../lib/entra";
import { asStackConfig, invalid, MANY_GUIDS } from "./configCases";
import {
  ACCOUNT_ID,
  fakeGuid,
  FakeClouds,
  type FakeCloudsOptions,
  isKnown,
  isSecret,
  NOW,
  type Program,
  runProgram,
  settle,
  SUBSCRIPTION_ID,
  TENANT_ID,
  valueOf,
} from "./fakeClouds";
import { expectedTrustPolicy } from "./support/expectedTrustPolicy";

const ROOT = path.join(__dirname, "..");

/** Stack configuration of the example environment, exactly as committed. */
function devStackConfig(): Record<string, unknown> {
  const file = parseYaml(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  return file.config;
}

const appClientId = (component: string) => fakeGuid(`app-client:${component}-app`);
const spObjectId = (component: string) => fakeGuid(`sp:${appClientId(component)}`);
const miPrincipal = (name: string) => fakeGuid(`mi-principal:${name}`);
const miClient = (name: string) => fakeGuid(`mi-client:${name}`);

const AUDIENCE = `api://${appClientId("federation-audience")}`;
const ISSUER = `https://sts.windows.net/${TENANT_ID}/`;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/sts.windows.net/${TENANT_ID}/`;
const CALLER = "federation-caller-synapse-export";
const APP_ROLE_ID = stableAppRoleId("entra-aws-federation", "dev", "federation");

function trustPolicy(subjects: string[]) {
  return expectedTrustPolicy(PROVIDER_ARN, `sts.windows.net/${TENANT_ID}/`, AUDIENCE, subjects);
}

describe("program with Pulumi.dev.yaml", () => {
  let clouds: FakeClouds;
  let outputs: Record<string, unknown>;
  let program: Program;

  before(async () => {
    ({ clouds, program } = await runProgram(devStackConfig()));
    outputs = await settle(program);
  });

  it("exports every output app teams and the credentials helper use", () => {
    assert.deepEqual(outputs, {
      cloud: "AzurePublic",
      tenantId: TENANT_ID,
      issuerUrl: ISSUER,
      audience: AUDIENCE,
      tokenScope: `${AUDIENCE}/.default`,
      applicationClientId: appClientId("federation-audience"),
      servicePrincipalObjectId: spObjectId("federation-audience"),
      appRoleId: APP_ROLE_ID,
      appRoleValue: "AssumeRoleWithWebIdentity",
      oidcProviderArn: PROVIDER_ARN,
      oidcProviders: { default: { arn: PROVIDER_ARN, accountId: ACCOUNT_ID, shared: false } },
      identities: {
        "orders-api": {
          clientId: miClient("orders-api"),
          principalId: miPrincipal("orders-api"),
          resourceId: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-aws-federation-dev/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-api`,
        },
        "reporting-job": {
          clientId: miClient("reporting-job"),
          principalId: miPrincipal("reporting-job"),
          resourceId: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-aws-federation-dev/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reporting-job`,
        },
      },
      callerApps: {
        "synapse-export": {
          clientId: appClientId(CALLER),
          servicePrincipalObjectId: spObjectId(CALLER),
          clientSecret: `secret-of-${CALLER}-secret`,
          clientSecretExpiresAt: "2027-02-20T00:00:00Z",
        },
      },
      roles: {
        "orders-api-dev": {
          arn: `arn:aws:iam::${ACCOUNT_ID}:role/orders-api-dev`,
          name: "orders-api-dev",
          subjects: [miPrincipal("orders-api")],
          accountId: ACCOUNT_ID,
        },
        "reporting-dev": {
          arn: `arn:aws:iam::${ACCOUNT_ID}:role/reporting-dev`,
          name: "reporting-dev",
          subjects: [miPrincipal("reporting-job"), spObjectId(CALLER)],
          accountId: ACCOUNT_ID,
        },
      },
    });
  });

  it("gives the credentials helper exactly the settings an identity needs for a role it is trusted by", () => {
    // The contract between this program and credentials/: its outputs, as `pulumi stack output --json` prints them.
    const published = parseStackOutputs(JSON.stringify({ ...outputs, callerApps: "[secret]" }));
    assert.deepEqual(
      envForIdentity(published, { identity: "orders-api", role: "orders-api-dev" }).vars,
      {
        AZURE_CLIENT_ID: miClient("orders-api"),
        AZURE_TENANT_ID: TENANT_ID,
        AWS_ROLE_ARN: `arn:aws:iam::${ACCOUNT_ID}:role/orders-api-dev`,
        ENTRA_AWS_AUDIENCE: AUDIENCE,
      },
    );
    assert.throws(
      () => envForIdentity(published, { identity: "orders-api", role: "reporting-dev" }),
      {
        message: `Role "reporting-dev" does not trust "orders-api": its subjects do not contain ${miPrincipal("orders-api")}. Add the identity to the role in the Pulumi program (or pick a role that lists it). Roles that trust it: orders-api-dev.`,
      },
    );
  });

  it("resolves the roles output only once every role's policies are in place", async () => {
    const resources = (
      program.roles as unknown as { resources(): Set<pulumi.Resource> }
    ).resources();
    const urns = await Promise.all([...resources].map((r) => valueOf(r.urn)));
    const policyResources = urns
      .map((urn) => urn.slice(urn.lastIndexOf("::") + 2))
      .filter((name) => /-(?:managed|inline)-/.test(name))
      .sort();
    assert.deepEqual(policyResources, [
      "federation-role-orders-api-dev-inline-exclusive",
      "federation-role-orders-api-dev-managed-AmazonS3ReadOnlyAccess",
      "federation-role-orders-api-dev-managed-exclusive",
      "federation-role-reporting-dev-inline-exclusive",
      "federation-role-reporting-dev-inline-write-reports",
      "federation-role-reporting-dev-managed-exclusive",
    ]);
  });

  it("keeps the client secrets secret, and nothing else", async () => {
    for (const [name, output] of Object.entries(program)) {
      assert.equal(await isSecret(output), name === "callerApps", name);
    }
  });

  it("registers exactly these resources under these parents", () => {
    const tree = clouds.resources
      .map((r) => `${r.parent ?? "(stack)"} > ${r.name} [${r.type}]`)
      .sort();
    assert.deepEqual(tree, [
      "(stack) > federation [entra-aws-federation:index:Federation]",
      "federation > federation-audience [entra-aws-federation:entra:Audience]",
      "federation > federation-caller-synapse-export [entra-aws-federation:entra:CallerApp]",
      "federation > federation-identity-orders-api [entra-aws-federation:azure:WorkloadIdentity]",
      "federation > federation-identity-reporting-job [entra-aws-federation:azure:WorkloadIdentity]",
      "federation > federation-oidc [entra-aws-federation:aws:OidcProvider]",
      "federation > federation-rg [azure-native:resources:ResourceGroup]",
      "federation > federation-role-orders-api-dev [entra-aws-federation:aws:FederatedRole]",
      "federation > federation-role-reporting-dev [entra-aws-federation:aws:FederatedRole]",
      "federation-audience > federation-audience-app [azuread:index/application:Application]",
      "federation-audience > federation-audience-identifier-uri [azuread:index/applicationIdentifierUri:ApplicationIdentifierUri]",
      "federation-audience > federation-audience-sp [azuread:index/servicePrincipal:ServicePrincipal]",
      "federation-caller-synapse-export > federation-caller-synapse-export-app [azuread:index/application:Application]",
      "federation-caller-synapse-export > federation-caller-synapse-export-app-role [azuread:index/appRoleAssignment:AppRoleAssignment]",
      "federation-caller-synapse-export > federation-caller-synapse-export-secret [azuread:index/applicationPassword:ApplicationPassword]",
      "federation-caller-synapse-export > federation-caller-synapse-export-secret-rotation [time:index/rotating:Rotating]",
      "federation-caller-synapse-export > federation-caller-synapse-export-sp [azuread:index/servicePrincipal:ServicePrincipal]",
      "federation-identity-orders-api > federation-identity-orders-api-app-role [azuread:index/appRoleAssignment:AppRoleAssignment]",
      "federation-identity-orders-api > federation-identity-orders-api-mi [azure-native:managedidentity:UserAssignedIdentity]",
      "federation-identity-reporting-job > federation-identity-reporting-job-app-role [azuread:index/appRoleAssignment:AppRoleAssignment]",
      "federation-identity-reporting-job > federation-identity-reporting-job-mi [azure-native:managedidentity:UserAssignedIdentity]",
      "federation-oidc > federation-oidc-provider [aws:iam/openIdConnectProvider:OpenIdConnectProvider]",
      "federation-role-orders-api-dev > federation-role-orders-api-dev-inline-exclusive [aws:iam/rolePoliciesExclusive:RolePoliciesExclusive]",
      "federation-role-orders-api-dev > federation-role-orders-api-dev-managed-AmazonS3ReadOnlyAccess [aws:iam/rolePolicyAttachment:RolePolicyAttachment]",
      "federation-role-orders-api-dev > federation-role-orders-api-dev-managed-exclusive [aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive]",
      "federation-role-orders-api-dev > federation-role-orders-api-dev-role [aws:iam/role:Role]",
      "federation-role-reporting-dev > federation-role-reporting-dev-inline-exclusive [aws:iam/rolePoliciesExclusive:RolePoliciesExclusive]",
      "federation-role-reporting-dev > federation-role-reporting-dev-inline-write-reports [aws:iam/rolePolicy:RolePolicy]",
      "federation-role-reporting-dev > federation-role-reporting-dev-managed-exclusive [aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive]",
      "federation-role-reporting-dev > federation-role-reporting-dev-role [aws:iam/role:Role]",
    ]);
    assert.equal(clouds.custom().length, 22);
  });

  it("keeps exactly the resources, URNs, types and parents of before multi-account support, all with the default providers", () => {
    // Captured from the program before `accounts` existed: an existing stack sees no replacement.
    const before = JSON.parse(
      readFileSync(path.join(__dirname, "fixtures", "singleAccountResources.json"), "utf8"),
    ) as unknown;
    const now = clouds.resources
      .map((r) => ({ urn: r.urn, type: r.type, parent: r.parent ?? null }))
      .sort((a, b) => a.urn.localeCompare(b.urn));
    assert.deepEqual(now, before);
    assert.deepEqual(
      clouds.resources.filter((r) => r.provider !== undefined).map((r) => r.name),
      [],
    );
  });

  it("makes a single-tenant federation app with v1 tokens and one app role for applications", () => {
    const app = clouds.byName("federation-audience-app");
    assert.deepEqual(app.inputs, {
      displayName: "entra-aws-federation-dev",
      signInAudience: "AzureADMyOrg",
      api: { requestedAccessTokenVersion: 1 },
      appRoles: [
        {
          id: APP_ROLE_ID,
          allowedMemberTypes: ["Application"],
          displayName: "Assume AWS roles with web identity",
          description: "Allows an Azure workload to exchange its Entra token for AWS credentials.",
          enabled: true,
          value: "AssumeRoleWithWebIdentity",
        },
      ],
    });
    assert.deepEqual(app.ignoreChanges, ["identifierUris"]);
    assert.deepEqual(clouds.byName("federation-audience-identifier-uri").inputs, {
      applicationId: `/applications/${fakeGuid("app-object:federation-audience-app")}`,
      identifierUri: AUDIENCE,
    });
  });

  it("requires an app role assignment on the federation service principal", () => {
    assert.deepEqual(clouds.byName("federation-audience-sp").inputs, {
      clientId: appClientId("federation-audience"),
      appRoleAssignmentRequired: true,
    });
  });

  it("assigns the app role: principal = the identity's service principal, resource = the federation's", () => {
    const expected: [assignment: string, principal: string][] = [
      ["federation-identity-orders-api-app-role", miPrincipal("orders-api")],
      ["federation-identity-reporting-job-app-role", miPrincipal("reporting-job")],
      [`${CALLER}-app-role`, spObjectId(CALLER)],
    ];
    for (const [assignment, principal] of expected) {
      assert.deepEqual(clouds.byName(assignment).inputs, {
        appRoleId: APP_ROLE_ID,
        principalObjectId: principal,
        resourceObjectId: spObjectId("federation-audience"),
      });
    }
  });

  it("creates the managed identities in the configured resource group, tagged", () => {
    assert.deepEqual(clouds.byName("federation-rg").inputs, {
      resourceGroupName: "rg-aws-federation-dev",
      location: "westeurope",
      tags: { environment: "dev", "managed-by": "entra-aws-federation" },
    });
    assert.deepEqual(clouds.byName("federation-identity-orders-api-mi").inputs, {
      resourceName: "orders-api",
      resourceGroupName: "rg-aws-federation-dev",
      location: "westeurope",
      tags: { environment: "dev", "managed-by": "entra-aws-federation" },
    });
  });

  it("gives the caller app a client secret that expires after the configured days, rotated 30 days early", () => {
    assert.deepEqual(clouds.byName(`${CALLER}-app`).inputs, {
      displayName: "entra-aws-federation-dev-synapse-export",
      signInAudience: "AzureADMyOrg",
    });
    assert.deepEqual(clouds.byName(`${CALLER}-secret-rotation`).inputs, { rotationDays: 60 });
    assert.deepEqual(clouds.byName(`${CALLER}-secret`).inputs, {
      applicationId: `/applications/${fakeGuid(`app-object:${CALLER}-app`)}`,
      displayName: "entra-aws-federation",
      endDate: new Date(Date.parse(NOW) + 90 * 86_400_000).toISOString().replace(".000Z", "Z"),
    });
  });

  it("creates the OIDC provider for the issuer with the trailing slash, the audience and no thumbprints", () => {
    assert.deepEqual(clouds.byName("federation-oidc-provider").inputs, {
      url: ISSUER,
      clientIdLists: [AUDIENCE],
      tags: { environment: "dev", "managed-by": "entra-aws-federation" },
    });
  });

  it("trusts exactly one identity in the orders role", () => {
    assert.deepEqual(clouds.byName("federation-role-orders-api-dev-role").inputs, {
      name: "orders-api-dev",
      assumeRolePolicy: trustPolicy([miPrincipal("orders-api")]),
      maxSessionDuration: 3600,
      path: "/",
      tags: { environment: "dev", "managed-by": "entra-aws-federation" },
    });
    assert.deepEqual(
      clouds.byName("federation-role-orders-api-dev-managed-AmazonS3ReadOnlyAccess").inputs,
      {
        role: "orders-api-dev",
        policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
      },
    );
    assert.deepEqual(clouds.byName("federation-role-orders-api-dev-managed-exclusive").inputs, {
      roleName: "orders-api-dev",
      policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    });
    assert.deepEqual(clouds.byName("federation-role-orders-api-dev-inline-exclusive").inputs, {
      roleName: "orders-api-dev",
      policyNames: [],
    });
  });

  it("trusts an identity and a caller app in the reporting role, with its inline policy and tags", () => {
    assert.deepEqual(clouds.byName("federation-role-reporting-dev-role").inputs, {
      name: "reporting-dev",
      assumeRolePolicy: trustPolicy([miPrincipal("reporting-job"), spObjectId(CALLER)]),
      maxSessionDuration: 7200,
      path: "/",
      tags: {
        environment: "dev",
        "managed-by": "entra-aws-federation",
        "data-classification": "internal",
      },
    });
    assert.deepEqual(clouds.byName("federation-role-reporting-dev-inline-write-reports").inputs, {
      role: "reporting-dev",
      name: "write-reports",
      policy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: "arn:aws:s3:::example-reports-dev/*",
          },
        ],
      },
    });
  });

  it("makes only the invokes it needs", () => {
    assert.deepEqual(
      clouds.invokes.map((i) => i.token),
      ["azuread:index/getClientConfig:getClientConfig", "aws:index/getPartition:getPartition"],
    );
  });

  it("protects nothing when protect is off, and leaves replaced secrets to expire on their own", () => {
    assert.deepEqual(
      clouds.resources.filter((r) => r.protect || r.retainOnDelete).map((r) => r.name),
      [`${CALLER}-secret`],
    );
    assert.equal(clouds.byName(`${CALLER}-secret`).protect, false);
  });
});

describe("program for each Azure cloud", () => {
  /** The trust policy of the orders role for a cloud's issuer host, in a partition. */
  function ordersTrustPolicy(issuerHost: string, partition: string) {
    const issuer = `${issuerHost}/${TENANT_ID}/`;
    const provider = `arn:${partition}:iam::${ACCOUNT_ID}:oidc-provider/${issuer}`;
    return expectedTrustPolicy(provider, issuer, AUDIENCE, [miPrincipal("orders-api")]);
  }

  const clouds: [cloud: string | undefined, partition: string, issuerHost: string][] = [
    [undefined, "aws", "sts.windows.net"],
    ["AzurePublic", "aws", "sts.windows.net"],
    ["AzureChina", "aws-cn", "sts.chinacloudapi.cn"],
  ];
  for (const [cloud, partition, issuerHost] of clouds) {
    it(`${cloud ?? "the default cloud"} in ${partition}: issuer, provider, trust policy and ARNs follow the cloud`, async () => {
      const config = {
        ...devStackConfig(),
        ...(cloud && { "entra-aws-federation:cloud": cloud }),
        "entra-aws-federation:roles": [
          {
            name: "orders-api-dev",
            identities: ["orders-api"],
            managedPolicyArns: [`arn:${partition}:iam::aws:policy/AmazonS3ReadOnlyAccess`],
          },
        ],
      };
      const { clouds: fake, program } = await runProgram(config, { partition });
      const outputs = await settle(program);
      const issuerUrl = `https://${issuerHost}/${TENANT_ID}/`;
      const providerArn = `arn:${partition}:iam::${ACCOUNT_ID}:oidc-provider/${issuerHost}/${TENANT_ID}/`;
      assert.deepEqual(
        [outputs.cloud, outputs.issuerUrl, outputs.oidcProviderArn],
        [cloud ?? "AzurePublic", issuerUrl, providerArn],
      );
      assert.deepEqual(outputs.roles, {
        "orders-api-dev": {
          arn: `arn:${partition}:iam::${ACCOUNT_ID}:role/orders-api-dev`,
          name: "orders-api-dev",
          subjects: [miPrincipal("orders-api")],
          accountId: ACCOUNT_ID,
        },
      });
      assert.deepEqual(fake.byName("federation-oidc-provider").inputs.url, issuerUrl);
      assert.deepEqual(
        fake.byName("federation-role-orders-api-dev-role").inputs.assumeRolePolicy,
        ordersTrustPolicy(issuerHost, partition),
      );
    });
  }
});

describe("program with protect: true", () => {
  it("protects and retains the app registrations, service principals, identities and OIDC provider only", async () => {
    const { clouds, program } = await runProgram({
      ...devStackConfig(),
      "entra-aws-federation:protect": "true",
    });
    await settle(program);
    const guarded = clouds.resources
      .filter((r) => r.protect)
      .map((r) => `${r.name} retain=${r.retainOnDelete}`)
      .sort();
    assert.deepEqual(guarded, [
      "federation-audience-app retain=true",
      "federation-audience-identifier-uri retain=true",
      "federation-audience-sp retain=true",
      "federation-caller-synapse-export-app retain=true",
      "federation-caller-synapse-export-sp retain=true",
      "federation-identity-orders-api-mi retain=true",
      "federation-identity-reporting-job-mi retain=true",
      "federation-oidc-provider retain=true",
    ]);
  });
});

describe("program stops before registering any resource", () => {
  const OTHER_TENANT = "00000000-0000-0000-0000-00000000000a";
  const TARGET_INVOKES = [
    "azuread:index/getClientConfig:getClientConfig",
    "aws:index/getPartition:getPartition",
  ];

  async function assertStopsWith(
    config: Record<string, unknown>,
    options: FakeCloudsOptions,
    message: string,
    invokes: string[],
  ) {
    let clouds: FakeClouds | undefined;
    await assert.rejects(
      runProgram(config, { ...options, onInstall: (c) => (clouds = c) }),
      (err: Error) => {
        assert.ok(pulumi.RunError.isInstance(err), "a RunError: message only, no stack trace");
        assert.equal(err.message, message);
        return true;
      },
    );
    await pulumi.runtime.disconnect();
    assert.deepEqual(clouds?.resources, []);
    assert.deepEqual(
      clouds?.invokes.map((i) => i.token),
      invokes,
    );
  }

  describe("on every invalid configuration of the validation table, without calling any cloud", () => {
    for (const [title, raw, expected] of invalid) {
      it(title, async () => {
        const message = ["Invalid configuration:", ...expected.map((line) => `  ${line}`)];
        await assertStopsWith(asStackConfig(raw), {}, message.join("\n"), []);
      });
    }
  });

  const cases: [
    title: string,
    config: Record<string, unknown>,
    options: FakeCloudsOptions,
    message: string,
  ][] = [
    [
      "when tenantId is not the tenant the azuread provider is signed in to",
      { "entra-aws-federation:tenantId": OTHER_TENANT },
      {},
      `Invalid configuration:\n  entra-aws-federation:tenantId: must be the tenant the azuread provider is signed in to, ${TENANT_ID}: sign in to the configured tenant (az login --tenant ${OTHER_TENANT}) or change tenantId (got "${OTHER_TENANT}")`,
    ],
    [
      "when an api://<tenantId>/ identifier URI names another tenant than the signed-in one",
      { "entra-aws-federation:application": { identifierUri: `api://${OTHER_TENANT}/aws` } },
      {},
      `Invalid configuration:\n  entra-aws-federation:application.identifierUri: must use this stack's tenant id ${TENANT_ID} (got "api://${OTHER_TENANT}/aws")`,
    ],
    [
      "when a trust policy that fits in aws is over the quota in the aws provider's partition",
      {
        "entra-aws-federation:identities": MANY_GUIDS.slice(0, 41).map((principalId, i) => ({
          name: `legacy-${i}`,
          principalId,
        })),
        "entra-aws-federation:roles": [
          { name: "all", identities: MANY_GUIDS.slice(0, 41).map((_, i) => `legacy-${i}`) },
        ],
        // Pads the audience so that 41 subjects make 2045 characters in aws, 2052 in aws-us-gov.
        "entra-aws-federation:application": {
          identifierUri: `api://${TENANT_ID}/${"x".repeat(27)}`,
        },
      },
      { partition: "aws-us-gov" },
      "Invalid configuration:\n  entra-aws-federation:roles[0].identities: makes a trust policy of 2052 characters, over the limit of 2048 (whitespace not counted); at most 40 subjects fit: split the identities across roles or raise trustPolicyMaxLength (up to 4096, after an IAM quota increase) (got 41 subjects)",
    ],
    [
      "when an existing provider's or a managed policy's ARN is in another partition than the aws provider's",
      { "entra-aws-federation:oidcProvider": { existingArn: PROVIDER_ARN } },
      { partition: "aws-us-gov" },
      [
        "Invalid configuration:",
        `  entra-aws-federation:oidcProvider.existingArn: must be an ARN in the aws provider's partition, aws-us-gov (got "${PROVIDER_ARN}")`,
        `  entra-aws-federation:roles[0].managedPolicyArns[0]: must be an ARN in the aws provider's partition, aws-us-gov (got "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")`,
      ].join("\n"),
    ],
    [
      "when cloud AzureChina meets an aws provider outside aws-cn",
      { "entra-aws-federation:cloud": "AzureChina" },
      {},
      `Invalid configuration:\n  entra-aws-federation:cloud: must match the aws provider's partition, aws: AzureChina pairs only with aws-cn (no public source confirms that STS in another partition accepts its tokens); deploy with an aws provider in aws-cn or set cloud to the tenant's cloud (got "AzureChina")`,
    ],
    [
      "when an existing provider is for another tenant of the configured cloud",
      {
        "entra-aws-federation:cloud": "AzureChina",
        "entra-aws-federation:oidcProvider": {
          existingArn: `arn:aws-cn:iam::${ACCOUNT_ID}:oidc-provider/sts.chinacloudapi.cn/${OTHER_TENANT}/`,
        },
        "entra-aws-federation:roles": [{ name: "orders", identities: ["orders-api"] }],
      },
      { partition: "aws-cn" },
      `Invalid configuration:\n  entra-aws-federation:oidcProvider.existingArn: must be the provider for this stack's tenant (sts.chinacloudapi.cn/${TENANT_ID}/) (got "arn:aws-cn:iam::${ACCOUNT_ID}:oidc-provider/sts.chinacloudapi.cn/${OTHER_TENANT}/")`,
    ],
  ];
  for (const [title, extra, options, message] of cases) {
    it(title, async () => {
      await assertStopsWith({ ...devStackConfig(), ...extra }, options, message, TARGET_INVOKES);
    });
  }
});

describe("program in preview (ids unknown until created)", () => {
  it("completes, leaving ids unknown and known values known", async () => {
    const { clouds, program } = await runProgram(devStackConfig(), { preview: true });
    const values = await settle(program);
    assert.equal(await isKnown(program.tenantId!), true);
    assert.equal(values.issuerUrl, ISSUER);
    for (const name of [
      "audience",
      "applicationClientId",
      "oidcProviderArn",
      "identities",
      "roles",
    ]) {
      assert.equal(await isKnown(program[name]!), false, name);
    }
    assert.equal(clouds.custom().length, 22);
  });
});
