import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { envForIdentity, parseStackOutputs } from "../credentials/src/stackOutputs";
import {
  ACCOUNT_ID,
  fakeGuid,
  FakeClouds,
  type FakeCloudsOptions,
  runProgram,
  settle,
  SUBSCRIPTION_ID,
} from "./fakeClouds";
import { expectedTrustPolicy } from "./support/expectedTrustPolicy";

/*
 * The program with `accounts`, run on examples/Pulumi.org.yaml exactly as committed: the default
 * account (created provider) and three member accounts, one with a shared provider, one with an
 * existing provider and one with a provider this stack creates.
 */

const NS = "entra-aws-federation";
const TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const AUDIENCE = `api://${TENANT}/aws-org`;
const ISSUER_PATH = `sts.windows.net/${TENANT}/`;
const ACCOUNTS = {
  analytics: "111122223333",
  datalake: "444455556666",
  sandbox: "777788889999",
} as const;
const deployer = (accountId: string, partition = "aws") =>
  `arn:${partition}:iam::${accountId}:role/entra-federation-deployer`;
const providerArn = (accountId: string, partition = "aws") =>
  `arn:${partition}:iam::${accountId}:oidc-provider/${ISSUER_PATH}`;
const miPrincipal = (name: string) => fakeGuid(`mi-principal:${name}`);

/** The example's stack configuration, exactly as committed. */
function orgStackConfig(): Record<string, unknown> {
  const file = parseYaml(
    readFileSync(path.join(__dirname, "..", "examples", "Pulumi.org.yaml"), "utf8"),
  ) as { config: Record<string, unknown> };
  return file.config;
}

/** The fakes the example deploys against: its tenant, and the datalake provider lists the audience. */
const ORG: FakeCloudsOptions = { tenantId: TENANT, existingProviderClientIds: [AUDIENCE] };

function trustPolicy(federated: string, subjects: string[]) {
  return expectedTrustPolicy(federated, ISSUER_PATH, AUDIENCE, subjects);
}

describe("program with examples/Pulumi.org.yaml (three accounts besides the default one)", () => {
  let clouds: FakeClouds;
  let outputs: Record<string, unknown>;

  before(async () => {
    const run = await runProgram(orgStackConfig(), ORG);
    clouds = run.clouds;
    outputs = await settle(run.program);
  });

  it("gives each account an aws.Provider with its region, deployer role and allowed account only", () => {
    const providers = clouds.custom("pulumi:providers:aws");
    assert.deepEqual(
      providers.map((p) => [p.name, p.parent, p.inputs]),
      [
        ["federation-account-analytics", undefined, ACCOUNTS.analytics, "eu-west-1"],
        ["federation-account-datalake", undefined, ACCOUNTS.datalake, "us-east-1"],
        ["federation-account-sandbox", undefined, ACCOUNTS.sandbox, "eu-central-1"],
      ].map(([name, parent, accountId, region]) => [
        name,
        parent,
        {
          // The engine gets a provider's non-string inputs JSON-encoded; the two skip flags are
          // the SDK's defaults.
          allowedAccountIds: JSON.stringify([accountId]),
          assumeRoles: JSON.stringify([{ roleArn: deployer(accountId!) }]),
          region,
          skipCredentialsValidation: "false",
          skipRegionValidation: "true",
        },
      ]),
    );
  });

  it("creates every AWS resource through its account's provider, and the default account's through the ambient one", () => {
    const aws = clouds
      .custom()
      .filter((r) => r.type.startsWith("aws:"))
      .map((r) => `${r.name} <- ${r.provider ?? "(ambient)"}`)
      .sort();
    assert.deepEqual(aws, [
      "federation-oidc-provider <- (ambient)",
      "federation-oidc-sandbox-provider <- federation-account-sandbox",
      "federation-role-audit-read-inline-exclusive <- (ambient)",
      "federation-role-audit-read-managed-SecurityAudit <- (ambient)",
      "federation-role-audit-read-managed-exclusive <- (ambient)",
      "federation-role-audit-read-role <- (ambient)",
      "federation-role-lake-write-inline-exclusive <- federation-account-datalake",
      "federation-role-lake-write-inline-write-raw <- federation-account-datalake",
      "federation-role-lake-write-managed-exclusive <- federation-account-datalake",
      "federation-role-lake-write-role <- federation-account-datalake",
      "federation-role-reports-read-inline-exclusive <- federation-account-analytics",
      "federation-role-reports-read-managed-AmazonAthenaFullAccess <- federation-account-analytics",
      "federation-role-reports-read-managed-exclusive <- federation-account-analytics",
      "federation-role-reports-read-role <- federation-account-analytics",
      "federation-role-sandbox-admin-inline-exclusive <- federation-account-sandbox",
      "federation-role-sandbox-admin-managed-PowerUserAccess <- federation-account-sandbox",
      "federation-role-sandbox-admin-managed-exclusive <- federation-account-sandbox",
      "federation-role-sandbox-admin-role <- federation-account-sandbox",
    ]);
    // Nothing else goes through an account's provider.
    assert.deepEqual(
      clouds.resources.filter((r) => r.provider && !r.type.startsWith("aws:")).map((r) => r.name),
      [],
    );
  });

  it("registers one OIDC provider component per account: created, shared, existing, created", () => {
    const tree = clouds.resources
      .filter((r) => /^federation-oidc/.test(r.name))
      .map((r) => `${r.parent} > ${r.name} [${r.type}]`)
      .sort();
    assert.deepEqual(tree, [
      "federation > federation-oidc [entra-aws-federation:aws:OidcProvider]",
      "federation > federation-oidc-analytics [entra-aws-federation:aws:OidcProvider]",
      "federation > federation-oidc-datalake [entra-aws-federation:aws:OidcProvider]",
      "federation > federation-oidc-sandbox [entra-aws-federation:aws:OidcProvider]",
      "federation-oidc > federation-oidc-provider [aws:iam/openIdConnectProvider:OpenIdConnectProvider]",
      "federation-oidc-analytics > federation-oidc-analytics-shared [pulumi-nodejs:dynamic/entra-aws-federation/aws:SharedOidcProvider]",
      "federation-oidc-sandbox > federation-oidc-sandbox-provider [aws:iam/openIdConnectProvider:OpenIdConnectProvider]",
    ]);
    for (const name of ["federation-oidc-provider", "federation-oidc-sandbox-provider"]) {
      assert.deepEqual(clouds.byName(name).inputs, {
        url: `https://${ISSUER_PATH}`,
        clientIdLists: [AUDIENCE],
        tags: { environment: "org", "managed-by": "entra-aws-federation" },
      });
    }
  });

  it("gives the shared provider the analytics provider's region and deployer role, and only this stack's audience", () => {
    const { __provider: code, ...inputs } = clouds.byName(
      "federation-oidc-analytics-shared",
    ).inputs;
    assert.equal(typeof code, "string");
    assert.deepEqual(inputs, {
      issuerUrl: `https://${ISSUER_PATH}`,
      audience: AUDIENCE,
      accountId: ACCOUNTS.analytics,
      region: "eu-west-1",
      assumeRoleArn: deployer(ACCOUNTS.analytics),
      thumbprints: [],
    });
    const region = clouds.invokes.filter((i) => i.token === "aws:index/getRegion:getRegion");
    assert.deepEqual(
      region.map((i) => i.provider),
      ["federation-account-analytics"],
    );
  });

  it("makes each role trust its own account's provider", () => {
    const expected: [role: string, federated: string, subjects: string[]][] = [
      ["audit-read", providerArn(ACCOUNT_ID), [miPrincipal("reports-api")]],
      ["reports-read", providerArn(ACCOUNTS.analytics), [miPrincipal("reports-api")]],
      ["lake-write", providerArn(ACCOUNTS.datalake), [miPrincipal("ingest-job")]],
      [
        "sandbox-admin",
        providerArn(ACCOUNTS.sandbox),
        [miPrincipal("reports-api"), miPrincipal("ingest-job")],
      ],
    ];
    for (const [role, federated, subjects] of expected) {
      assert.deepEqual(
        clouds.byName(`federation-role-${role}-role`).inputs.assumeRolePolicy,
        trustPolicy(federated, subjects),
        role,
      );
    }
  });

  it("makes one Entra app, one service principal and one app role assignment per identity for every account", () => {
    const count = (type: string) => clouds.custom(type).map((r) => r.name);
    assert.deepEqual(count("azuread:index/application:Application"), ["federation-audience-app"]);
    assert.deepEqual(count("azuread:index/servicePrincipal:ServicePrincipal"), [
      "federation-audience-sp",
    ]);
    assert.deepEqual(count("azuread:index/appRoleAssignment:AppRoleAssignment"), [
      "federation-identity-reports-api-app-role",
      "federation-identity-ingest-job-app-role",
    ]);
  });

  it("checks each account's caller identity and partition through its own provider, and the pinned default account and subscription", () => {
    assert.deepEqual(
      clouds.invokes.map((i) => `${i.token} <- ${i.provider ?? "(ambient)"}`),
      [
        "azuread:index/getClientConfig:getClientConfig <- (ambient)",
        "aws:index/getPartition:getPartition <- (ambient)",
        "aws:index/getCallerIdentity:getCallerIdentity <- (ambient)",
        "azure-native:authorization:getClientConfig <- (ambient)",
        "aws:index/getCallerIdentity:getCallerIdentity <- federation-account-analytics",
        "aws:index/getPartition:getPartition <- federation-account-analytics",
        "aws:index/getCallerIdentity:getCallerIdentity <- federation-account-datalake",
        "aws:index/getPartition:getPartition <- federation-account-datalake",
        "aws:index/getCallerIdentity:getCallerIdentity <- federation-account-sandbox",
        "aws:index/getPartition:getPartition <- federation-account-sandbox",
        // The existing provider's own check (components/oidcProvider.ts), in its account.
        "aws:index/getCallerIdentity:getCallerIdentity <- federation-account-datalake",
        "aws:index/getPartition:getPartition <- federation-account-datalake",
        "aws:index/getRegion:getRegion <- federation-account-analytics",
        "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider <- federation-account-datalake",
      ],
    );
  });

  it("outputs each role's account and every account's provider, and the default account's as oidcProviderArn", () => {
    assert.equal(outputs.oidcProviderArn, providerArn(ACCOUNT_ID));
    assert.deepEqual(outputs.oidcProviders, {
      default: { arn: providerArn(ACCOUNT_ID), accountId: ACCOUNT_ID, shared: false },
      analytics: {
        arn: providerArn(ACCOUNTS.analytics),
        accountId: ACCOUNTS.analytics,
        shared: true,
      },
      datalake: {
        arn: providerArn(ACCOUNTS.datalake),
        accountId: ACCOUNTS.datalake,
        shared: false,
      },
      sandbox: { arn: providerArn(ACCOUNTS.sandbox), accountId: ACCOUNTS.sandbox, shared: false },
    });
    const role = (name: string, accountId: string, subjects: string[], account?: string) => ({
      arn: `arn:aws:iam::${accountId}:role/${name}`,
      name,
      subjects,
      accountId,
      ...(account && { account }),
    });
    assert.deepEqual(outputs.roles, {
      "audit-read": role("audit-read", ACCOUNT_ID, [miPrincipal("reports-api")]),
      "reports-read": role(
        "reports-read",
        ACCOUNTS.analytics,
        [miPrincipal("reports-api")],
        "analytics",
      ),
      "lake-write": role("lake-write", ACCOUNTS.datalake, [miPrincipal("ingest-job")], "datalake"),
      "sandbox-admin": role(
        "sandbox-admin",
        ACCOUNTS.sandbox,
        [miPrincipal("reports-api"), miPrincipal("ingest-job")],
        "sandbox",
      ),
    });
  });

  it("lets the credentials helper's env pick a role in any account with the one audience", () => {
    const published = parseStackOutputs(JSON.stringify({ ...outputs, callerApps: "[secret]" }));
    const vars = (role: string) =>
      envForIdentity(published, { identity: "reports-api", role }).vars;
    assert.deepEqual(vars("reports-read"), {
      AZURE_CLIENT_ID: fakeGuid("mi-client:reports-api"),
      AZURE_TENANT_ID: TENANT,
      AWS_ROLE_ARN: `arn:aws:iam::${ACCOUNTS.analytics}:role/reports-read`,
      ENTRA_AWS_AUDIENCE: AUDIENCE,
    });
    assert.equal(
      vars("sandbox-admin").AWS_ROLE_ARN,
      `arn:aws:iam::${ACCOUNTS.sandbox}:role/sandbox-admin`,
    );
  });
});

describe("program with accounts and no role in the default account", () => {
  it("makes no provider in the default account and outputs no oidcProviderArn", async () => {
    const config = orgStackConfig();
    const roles = config[`${NS}:roles`] as { account?: string }[];
    const { clouds, program } = await runProgram(
      { ...config, [`${NS}:roles`]: roles.filter((role) => role.account !== undefined) },
      ORG,
    );
    const outputs = await settle(program);
    assert.equal("oidcProviderArn" in outputs, false);
    assert.deepEqual(Object.keys(outputs.oidcProviders as object), [
      "analytics",
      "datalake",
      "sandbox",
    ]);
    assert.deepEqual(
      clouds.resources.filter((r) => r.name === "federation-oidc").map((r) => r.name),
      [],
    );
  });
});

describe("program with a shared provider in the default account", () => {
  it("gives it the ambient provider's region and caller account, no deployer role, and protects without retaining it", async () => {
    const { clouds, program } = await runProgram(
      {
        [`${NS}:identities`]: [{ name: "reports-api" }],
        [`${NS}:resourceGroup`]: { name: "rg", location: "westeurope", create: true },
        [`${NS}:oidcProvider`]: { shared: true, thumbprints: ["A".repeat(40)] },
        [`${NS}:roles`]: [{ name: "reports", identities: ["reports-api"] }],
        [`${NS}:protect`]: true,
      },
      { tenantId: TENANT, region: "ap-southeast-2" },
    );
    const outputs = await settle(program);
    const shared = clouds.byName("federation-oidc-shared");
    const { __provider: code, ...inputs } = shared.inputs;
    assert.equal(typeof code, "string");
    assert.deepEqual(inputs, {
      issuerUrl: `https://${ISSUER_PATH}`,
      audience: `api://${fakeGuid("app-client:federation-audience-app")}`,
      accountId: ACCOUNT_ID,
      region: "ap-southeast-2",
      thumbprints: ["a".repeat(40)],
    });
    // Its delete removes only this stack's audience; retained, the audience would stay behind.
    assert.deepEqual(
      [shared.parent, shared.protect, shared.retainOnDelete],
      ["federation-oidc", true, false],
    );
    assert.deepEqual(
      clouds.invokes.map((i) => `${i.token} <- ${i.provider ?? "(ambient)"}`),
      [
        "azuread:index/getClientConfig:getClientConfig <- (ambient)",
        "aws:index/getPartition:getPartition <- (ambient)",
        "aws:index/getCallerIdentity:getCallerIdentity <- (ambient)",
        "aws:index/getRegion:getRegion <- (ambient)",
      ],
    );
    assert.deepEqual(outputs.oidcProviders, {
      default: { arn: providerArn(ACCOUNT_ID), accountId: ACCOUNT_ID, shared: true },
    });
    assert.equal(outputs.oidcProviderArn, providerArn(ACCOUNT_ID));
    assert.deepEqual(
      (
        clouds.byName("federation-role-reports-role").inputs.assumeRolePolicy as ReturnType<
          typeof trustPolicy
        >
      ).Statement[0]!.Principal.Federated,
      providerArn(ACCOUNT_ID),
    );
    assert.deepEqual(clouds.custom("aws:iam/openIdConnectProvider:OpenIdConnectProvider"), []);
  });
});

describe("program with examples/Pulumi.org.yaml in preview (ids unknown until created)", () => {
  it("completes with the same resources", async () => {
    const { clouds, program } = await runProgram(orgStackConfig(), { ...ORG, preview: true });
    await settle(program);
    assert.equal(clouds.custom().length, 30);
  });
});

describe("program with accounts in another partition", () => {
  it("builds each role's trust policy and checks its ARNs with its own account's partition", async () => {
    const gov = "111122223333";
    const { clouds, program } = await runProgram(
      {
        [`${NS}:identities`]: [{ name: "reports-api" }],
        [`${NS}:resourceGroup`]: { name: "rg", location: "westeurope", create: true },
        [`${NS}:accounts`]: { gov: { accountId: gov, assumeRoleArn: deployer(gov, "aws-us-gov") } },
        [`${NS}:roles`]: [
          { name: "commercial", identities: ["reports-api"] },
          {
            name: "govcloud",
            account: "gov",
            identities: ["reports-api"],
            managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
      },
      { tenantId: TENANT },
    );
    await settle(program);
    assert.equal(
      (
        clouds.byName("federation-role-govcloud-role").inputs.assumeRolePolicy as ReturnType<
          typeof trustPolicy
        >
      ).Statement[0]!.Principal.Federated,
      providerArn(gov, "aws-us-gov"),
    );
    assert.equal(
      (
        clouds.byName("federation-role-commercial-role").inputs.assumeRolePolicy as ReturnType<
          typeof trustPolicy
        >
      ).Statement[0]!.Principal.Federated,
      providerArn(ACCOUNT_ID),
    );
  });
});

describe("program with accounts stops before registering anything but the accounts' providers", () => {
  const PROVIDERS = [
    "federation-account-analytics",
    "federation-account-datalake",
    "federation-account-sandbox",
  ];

  async function assertStopsWith(
    config: Record<string, unknown>,
    options: FakeCloudsOptions,
    message: string[],
    registered = PROVIDERS,
  ) {
    let clouds: FakeClouds | undefined;
    await assert.rejects(
      runProgram(config, { ...ORG, ...options, onInstall: (c) => (clouds = c) }),
      (err: Error) => {
        assert.ok(pulumi.RunError.isInstance(err), "a RunError: message only, no stack trace");
        assert.equal(err.message, ["Invalid configuration:", ...message].join("\n"));
        return true;
      },
    );
    await pulumi.runtime.disconnect();
    // A provider creates nothing in the cloud; it had to be registered to be asked.
    assert.deepEqual(clouds?.resources.map((r) => r.name).sort(), registered);
  }

  it("when an account's credentials reach another account", async () => {
    await assertStopsWith(
      orgStackConfig(),
      { reachedAccounts: { "federation-account-datalake": "999999999999" } },
      [
        `  ${NS}:accounts.datalake.accountId: must be the account that the aws provider of accounts.datalake reaches through assumeRoleArn, 999999999999: fix the credentials or assumeRoleArn, or change accountId (got "${ACCOUNTS.datalake}")`,
      ],
    );
  });

  it("when the default credentials reach another account than accountId, and the subscription is another", async () => {
    const other = "99999999-1111-2222-3333-444444444444";
    await assertStopsWith(
      {
        ...orgStackConfig(),
        [`${NS}:accountId`]: "210987654321",
        [`${NS}:azureSubscriptionId`]: other,
      },
      {},
      [
        `  ${NS}:azureSubscriptionId: must be the subscription the azure-native provider is signed in to, ${SUBSCRIPTION_ID}: select the configured one (az account set --subscription ${other}, or ARM_SUBSCRIPTION_ID) or change azureSubscriptionId (got "${other}")`,
        `  ${NS}:accountId: must be the account the aws provider's credentials reach, ${ACCOUNT_ID}: use the configured account's credentials (AWS_PROFILE, aws:profile) or change accountId (got "210987654321")`,
      ],
    );
  });

  it("when an account without a deployer role is the default credentials' account", async () => {
    const config = orgStackConfig();
    delete config[`${NS}:accountId`];
    const accounts = config[`${NS}:accounts`] as Record<string, Record<string, unknown>>;
    await assertStopsWith(
      {
        ...config,
        [`${NS}:accounts`]: {
          ...accounts,
          sandbox: { accountId: ACCOUNT_ID, region: "eu-central-1" },
        },
      },
      {},
      [
        `  ${NS}:accounts.sandbox.accountId: must not be the default account, which the aws provider's credentials reach: roles without account deploy there; leave account out of their entries instead (got "${ACCOUNT_ID}")`,
      ],
    );
  });

  it("when a trust policy that fits in aws is over the quota in its account's aws-us-gov partition", async () => {
    const gov = "111122223333";
    const guids = Array.from(
      { length: 41 },
      (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
    );
    await assertStopsWith(
      {
        [`${NS}:identities`]: guids.map((principalId, i) => ({ name: `legacy-${i}`, principalId })),
        [`${NS}:accounts`]: { gov: { accountId: gov, assumeRoleArn: deployer(gov, "aws-us-gov") } },
        [`${NS}:roles`]: [
          { name: "fits", identities: guids.map((_, i) => `legacy-${i}`) },
          { name: "over", account: "gov", identities: guids.map((_, i) => `legacy-${i}`) },
        ],
        // Pads the audience so that 41 subjects make 2045 characters in aws, 2052 in aws-us-gov.
        [`${NS}:application`]: { identifierUri: `api://${TENANT}/${"x".repeat(27)}` },
      },
      {},
      [
        `  ${NS}:roles[1].identities: makes a trust policy of 2052 characters, over the limit of 2048 (whitespace not counted); at most 40 subjects fit: split the identities across roles or raise trustPolicyMaxLength (up to 4096, after an IAM quota increase) (got 41 subjects)`,
      ],
      ["federation-account-gov"],
    );
  });

  it("when an account's ARNs are in another partition than its provider's", async () => {
    const gov = "111122223333";
    await assertStopsWith(
      {
        [`${NS}:identities`]: [{ name: "legacy", principalId: miPrincipal("legacy") }],
        [`${NS}:accounts`]: {
          gov: {
            accountId: gov,
            assumeRoleArn: deployer(gov, "aws-us-gov"),
            oidcProvider: { existingArn: providerArn(gov) },
          },
        },
        [`${NS}:roles`]: [
          {
            name: "gov",
            account: "gov",
            identities: ["legacy"],
            managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          },
        ],
      },
      {},
      [
        `  ${NS}:accounts.gov.oidcProvider.existingArn: must be an ARN in the partition of accounts.gov's aws provider, aws-us-gov (got "${providerArn(gov)}")`,
        `  ${NS}:roles[0].managedPolicyArns[0]: must be an ARN in the partition of accounts.gov's aws provider, aws-us-gov (got "arn:aws:iam::aws:policy/ReadOnlyAccess")`,
      ],
      ["federation-account-gov"],
    );
  });
});
