import { strict as assert } from "node:assert";
import { ConfigError, parseConfig, resolveTarget, type DeploymentTarget } from "../lib/config";
import {
  asStackConfig,
  CONTEXT,
  invalid,
  MANY_GUIDS,
  NS,
  PRINCIPAL,
  TENANT,
  validConfig,
  type Raw,
  withProtoKey,
  withRole,
} from "./configCases";
import { entraCloud, v1IssuerUrl } from "../lib/entra";
import { buildTrustPolicy, policyLength } from "../lib/trustPolicy";

function parse(raw: Raw) {
  return parseConfig(asStackConfig(raw), CONTEXT);
}

function errorOf(raw: Raw): string[] {
  try {
    parse(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    const [head, ...lines] = err.message.split("\n");
    assert.equal(head, "Invalid configuration:");
    return lines.map((line) => line.trim());
  }
  assert.fail("configuration was accepted");
}

describe("parseConfig rejects bad configuration with the key, the value and what is allowed", () => {
  for (const [title, raw, expected] of invalid) {
    it(title, () => {
      assert.deepEqual(errorOf(raw), expected);
    });
  }

  it("rejects a shared default-account provider while the aws provider's stack settings pick other credentials", () => {
    const stackConfig = {
      ...asStackConfig({ ...validConfig(), oidcProvider: { shared: true } }),
      "aws:region": "eu-west-1",
      "aws:profile": "prod",
      "aws:assumeRoles": JSON.stringify([{ roleArn: "arn:aws:iam::123456789012:role/deployer" }]),
    };
    assert.throws(
      () => parseConfig(stackConfig, CONTEXT),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message ===
          [
            "Invalid configuration:",
            `  ${NS}:oidcProvider.shared: must not be true while the stack configuration sets aws:profile, aws:assumeRoles: the shared OIDC provider uses the environment's AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, …), not the aws provider's stack settings; set them in the environment instead, or use a provider the stack creates (got true)`,
          ].join("\n"),
    );
    // aws:region is passed to the shared provider; a created provider reads every aws: setting.
    const regionOnly = Object.fromEntries(
      Object.entries(stackConfig).filter(
        ([key]) => key !== "aws:profile" && key !== "aws:assumeRoles",
      ),
    );
    assert.equal(parseConfig(regionOnly, CONTEXT).roles.length, 1);
    assert.equal(
      parseConfig({ ...stackConfig, ...asStackConfig({ oidcProvider: {} }) }, CONTEXT).roles.length,
      1,
    );
  });

  it("rejects a value that is not JSON where JSON is expected", () => {
    assert.deepEqual(errorOf({ ...validConfig(), roles: "orders" }), [
      `${NS}:roles: must be a list of roles (got "orders")`,
    ]);
  });
});

describe("parseConfig accepts valid configuration", () => {
  it("applies every default", () => {
    assert.deepEqual(
      parse({
        roles: [{ name: "r", identities: ["legacy-vm"] }],
        identities: [{ name: "legacy-vm", principalId: PRINCIPAL }],
      }),
      {
        tenantId: undefined,
        cloud: "AzurePublic",
        application: {
          displayName: "entra-aws-federation-dev",
          appRoleValue: "AssumeRoleWithWebIdentity",
        },
        identities: [{ name: "legacy-vm", principalId: PRINCIPAL }],
        callerApps: [],
        roles: [
          {
            name: "r",
            identities: ["legacy-vm"],
            managedPolicyArns: [],
            inlinePolicies: new Map(),
            maxSessionDurationSeconds: 3600,
            path: "/",
            tags: {},
          },
        ],
        oidcProvider: { thumbprints: "none", additionalAudiences: [] },
        accounts: new Map(),
        trustPolicyMaxLength: 2048,
        protect: false,
        tags: {},
      },
    );
  });

  it("lower-cases ids and thumbprints, since IAM's StringEquals is case-sensitive", () => {
    const config = parse({
      ...validConfig(),
      tenantId: TENANT.toUpperCase(),
      identities: [{ name: "legacy-vm", principalId: PRINCIPAL.toUpperCase() }],
      roles: [{ name: "r", identities: ["legacy-vm"] }],
      oidcProvider: { thumbprints: ["626D44E704D1CEABE3BF0D53397464AC8080142C"] },
    });
    assert.equal(config.tenantId, TENANT);
    assert.equal(config.identities[0]?.principalId, PRINCIPAL);
    assert.deepEqual(config.oidcProvider, {
      thumbprints: ["626d44e704d1ceabe3bf0d53397464ac8080142c"],
      additionalAudiences: [],
    });
  });

  it("treats an empty tenantId (Pulumi.yaml's default) as unset", () => {
    assert.equal(parse({ ...validConfig(), tenantId: "" }).tenantId, undefined);
  });

  it("ignores other namespaces' keys", () => {
    const config = parseConfig(
      { ...asStackConfig(validConfig()), "aws:region": "eu-west-1" },
      CONTEXT,
    );
    assert.equal(config.roles.length, 1);
  });

  const uris = [
    `api://${TENANT}/aws-prod`,
    "api://contoso.com/aws",
    "https://contoso.com/aws",
    "https://aws.contoso.com",
    "https://aws.contoso.com/federation",
  ];
  for (const identifierUri of uris) {
    it(`accepts the identifier URI ${identifierUri}`, () => {
      assert.equal(
        parse({ ...validConfig(), application: { identifierUri } }).application.identifierUri,
        identifierUri,
      );
    });
  }

  it("keeps an inline policy named __proto__ (IAM allows the name; z.record would drop it)", () => {
    const deny = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }],
    };
    const config = parse(withRole({ inlinePolicies: withProtoKey(deny, { read: deny }) }));
    assert.deepEqual(
      config.roles[0]?.inlinePolicies,
      new Map([
        ["read", deny],
        ["__proto__", deny],
      ]),
    );
  });

  it("accepts names that are Object.prototype members where the clouds allow them", () => {
    const config = parse({
      ...validConfig(),
      identities: [{ name: "constructor" }],
      callerApps: [{ name: "prototype" }],
      roles: [
        {
          name: "constructor",
          identities: ["constructor", "prototype"],
          tags: { constructor: "x" },
          inlinePolicies: {
            constructor: { Version: "2012-10-17", Statement: [{ Effect: "Deny" }] },
          },
        },
      ],
      tags: { prototype: "y", toString: "z" },
    });
    assert.deepEqual(config.roles[0]?.tags, { constructor: "x" });
    assert.deepEqual([...(config.roles[0]?.inlinePolicies.keys() ?? [])], ["constructor"]);
    assert.deepEqual(config.tags, { prototype: "y", toString: "z" });
  });

  it("accepts a role path with a character between the slashes", () => {
    assert.equal(parse(withRole({ path: "/a/" })).roles[0]?.path, "/a/");
  });

  it("takes an inline policy's single Statement object, as IAM does, as a list of one", () => {
    const statement = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
    const config = parse(
      withRole({ inlinePolicies: { read: { Version: "2012-10-17", Statement: statement } } }),
    );
    assert.deepEqual(config.roles[0]?.inlinePolicies.get("read"), {
      Version: "2012-10-17",
      Statement: [statement],
    });
  });

  it("counts a single Statement's inline policy size as sent, with the list brackets", () => {
    const doc = (resource: string) => ({
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: resource },
    });
    // As written the document has 10239 characters; sent as a list of one, 10241.
    const resource = "x".repeat(10239 - policyLength(doc("")));
    assert.equal(policyLength(doc(resource)), 10239);
    assert.deepEqual(errorOf(withRole({ inlinePolicies: { big: doc(resource) } })), [
      `${NS}:roles[0].inlinePolicies: must total at most 10240 characters (IAM quota, whitespace not counted) (got 10241 characters)`,
    ]);
  });

  it("reports a single Statement's problems where it was written", () => {
    const raw = withRole({
      inlinePolicies: { s3: { Version: "2012-10-17", Statement: { Action: "s3:*" } } },
    });
    assert.deepEqual(errorOf(raw), [
      `${NS}:roles[0].inlinePolicies.s3.Statement.Effect: is required`,
    ]);
  });

  it("accepts an existing provider, dropping the thumbprint default", () => {
    const existingArn = `arn:aws-us-gov:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/`;
    assert.deepEqual(parse({ ...validConfig(), oidcProvider: { existingArn } }).oidcProvider, {
      existingArn,
    });
  });
});

describe("parseConfig accepts accounts", () => {
  it("reads each account's provider as created, shared or existing, with defaults, and keeps ids as strings", () => {
    const existingArn = `arn:aws:iam::444455556666:oidc-provider/sts.windows.net/${TENANT}/`;
    const parsed = parse({
      ...validConfig(),
      accountId: "012345678901",
      azureSubscriptionId: "00000000-1111-2222-3333-44444444444A",
      oidcProvider: { shared: true },
      accounts: {
        analytics: {
          accountId: "011122223333",
          region: "eu-west-1",
          assumeRoleArn: "arn:aws:iam::011122223333:role/deployer",
        },
        datalake: { accountId: "444455556666", oidcProvider: { existingArn } },
        sandbox: {
          accountId: "777788889999",
          oidcProvider: { shared: false, thumbprints: "auto", additionalAudiences: ["api://b"] },
        },
      },
      roles: [{ name: "orders", account: "analytics", identities: ["orders-api"] }],
    });
    assert.equal(parsed.accountId, "012345678901");
    assert.equal(parsed.azureSubscriptionId, "00000000-1111-2222-3333-44444444444a");
    assert.deepEqual(parsed.oidcProvider, { shared: true, thumbprints: "none" });
    assert.deepEqual(
      parsed.accounts,
      new Map([
        [
          "analytics",
          {
            accountId: "011122223333",
            region: "eu-west-1",
            assumeRoleArn: "arn:aws:iam::011122223333:role/deployer",
            oidcProvider: { thumbprints: "none", additionalAudiences: [] },
          },
        ],
        ["datalake", { accountId: "444455556666", oidcProvider: { existingArn } }],
        [
          "sandbox",
          {
            accountId: "777788889999",
            oidcProvider: { thumbprints: "auto", additionalAudiences: ["api://b"] },
          },
        ],
      ]),
    );
    assert.equal(parsed.roles[0]!.account, "analytics");
  });
});

describe("resolveTarget binds the configuration to the signed-in tenant and the partition", () => {
  const OTHER = "00000000-0000-0000-0000-00000000000a";
  const AWS = { tenantId: TENANT, partition: "aws" };

  it("takes the signed-in tenant, lower-cased, when none is configured", () => {
    const target = { tenantId: TENANT.toUpperCase(), partition: "aws" };
    assert.equal(resolveTarget(parse(validConfig()), target).tenantId, TENANT);
  });

  function resolveError(raw: Raw, target: DeploymentTarget = AWS): string {
    try {
      resolveTarget(parse(raw), target);
    } catch (err) {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      return err.message;
    }
    assert.fail("configuration was accepted");
  }

  const mismatches: [title: string, raw: Raw, expected: string][] = [
    [
      "a configured tenantId",
      { ...validConfig(), tenantId: OTHER },
      `${NS}:tenantId: must be the tenant the azuread provider is signed in to, ${TENANT}: sign in to the configured tenant (az login --tenant ${OTHER}) or change tenantId (got "${OTHER}")`,
    ],
    [
      "an api://<tenantId>/ identifier URI",
      { ...validConfig(), application: { identifierUri: `api://${OTHER}/aws` } },
      `${NS}:application.identifierUri: must use this stack's tenant id ${TENANT} (got "api://${OTHER}/aws")`,
    ],
    [
      "an existing provider's ARN",
      {
        ...validConfig(),
        oidcProvider: {
          existingArn: `arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${OTHER}/`,
        },
      },
      `${NS}:oidcProvider.existingArn: must be the provider for this stack's tenant (sts.windows.net/${TENANT}/) (got "arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${OTHER}/")`,
    ],
  ];
  for (const [title, raw, expected] of mismatches) {
    it(`rejects ${title} naming another tenant`, () => {
      assert.equal(resolveError(raw), `Invalid configuration:\n  ${expected}`);
    });
  }

  it("lists a wrong account beside a wrong tenant, in one run", () => {
    assert.equal(
      resolveError(
        { ...validConfig(), tenantId: OTHER, accountId: "111122223333" },
        { ...AWS, accountId: "123456789012", accounts: new Map() },
      ),
      [
        "Invalid configuration:",
        `  ${NS}:accountId: must be the account the aws provider's credentials reach, 123456789012: use the configured account's credentials (AWS_PROFILE, aws:profile) or change accountId (got "111122223333")`,
        `  ${NS}:tenantId: must be the tenant the azuread provider is signed in to, ${TENANT}: sign in to the configured tenant (az login --tenant ${OTHER}) or change tenantId (got "${OTHER}")`,
      ].join("\n"),
    );
  });

  /** One role trusting the first n of MANY_GUIDS (existing identities), with the given provider. */
  const manySubjects = (n: number, oidcProvider: Raw = {}): Raw => ({
    identities: MANY_GUIDS.slice(0, n).map((principalId, i) => ({
      name: `legacy-${i}`,
      principalId,
    })),
    roles: [{ name: "all", identities: MANY_GUIDS.slice(0, n).map((_, i) => `legacy-${i}`) }],
    oidcProvider,
  });
  const tooLong = (length: number, fit: number, got: number) =>
    `Invalid configuration:\n  ${NS}:roles[0].identities: makes a trust policy of ${length} characters, over the limit of 2048 (whitespace not counted); at most ${fit} subjects fit: split the identities across roles or raise trustPolicyMaxLength (up to 4096, after an IAM quota increase) (got ${got} subjects)`;

  it("accepts exactly as many subjects as fit in the aws partition", () => {
    assert.equal(resolveTarget(parse(manySubjects(41)), AWS).roles[0]?.identities.length, 41);
  });

  it("rejects a trust policy over the quota, saying how many subjects fit", () => {
    assert.equal(resolveError(manySubjects(42)), tooLong(2056, 41, 42));
  });

  describe("counts the partition in the provider ARN", () => {
    // An identifier URI padded so that 41 subjects make 2045 characters in the aws partition.
    const subjects = MANY_GUIDS.slice(0, 41);
    const uriFor = (name: string) => `api://${TENANT}/${name}`;
    const lengthWith = (name: string) =>
      policyLength(
        buildTrustPolicy({
          providerArn: `arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/`,
          issuerUrl: v1IssuerUrl(entraCloud("AzurePublic"), TENANT),
          audience: uriFor(name),
          subjects,
        }),
      );
    const name = "x".repeat(1 + 2045 - lengthWith("x"));
    const padded = (oidcProvider: Raw = {}): Raw => ({
      ...manySubjects(41, oidcProvider),
      application: { identifierUri: uriFor(name) },
    });
    const GOV = { tenantId: TENANT, partition: "aws-us-gov" };

    it("fits in aws with 3 characters to spare", () => {
      assert.equal(lengthWith(name), 2045);
      assert.equal(resolveTarget(parse(padded()), AWS).roles[0]?.identities.length, 41);
    });

    it("does not fit in aws-us-gov (7 characters more)", () => {
      assert.equal(resolveError(padded(), GOV), tooLong(2052, 40, 41));
    });

    it("counts the cloud's issuer host too: AzureChina in aws-cn is 18 characters longer", () => {
      const china = { ...padded(), cloud: "AzureChina" };
      assert.equal(
        resolveError(china, { tenantId: TENANT, partition: "aws-cn" }),
        tooLong(2063, 40, 41),
      );
    });

    it("measures an existing provider by its own ARN, and rejects one in another partition", () => {
      const existingArn = `arn:aws-us-gov:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/`;
      assert.equal(
        resolveError(padded({ existingArn }), AWS),
        tooLong(2052, 40, 41).replace(
          "Invalid configuration:\n",
          `Invalid configuration:\n  ${NS}:oidcProvider.existingArn: must be an ARN in the aws provider's partition, aws (got "${existingArn}")\n`,
        ),
      );
    });
  });

  it("rejects every ARN in another partition than the aws provider's, all at once, AWS managed policies too", () => {
    const existingArn = `arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/`;
    const raw = {
      ...validConfig(),
      oidcProvider: { existingArn },
      roles: [
        {
          name: "orders",
          identities: ["orders-api"],
          managedPolicyArns: [
            "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            "arn:aws:iam::123456789012:policy/team/orders",
          ],
          permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/boundary",
        },
      ],
    };
    const gov = (key: string, arn: string) =>
      `  ${NS}:${key}: must be an ARN in the aws provider's partition, aws-us-gov (got "${arn}")`;
    assert.equal(
      resolveError(raw, { tenantId: TENANT, partition: "aws-us-gov" }),
      [
        "Invalid configuration:",
        gov("oidcProvider.existingArn", existingArn),
        gov("roles[0].managedPolicyArns[1]", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"),
        gov("roles[0].managedPolicyArns[2]", "arn:aws:iam::123456789012:policy/team/orders"),
        gov("roles[0].permissionsBoundaryArn", "arn:aws:iam::123456789012:policy/boundary"),
      ].join("\n"),
    );
  });

  it("accepts ARNs in the aws provider's partition", () => {
    const raw = withRole({
      managedPolicyArns: ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"],
      permissionsBoundaryArn: "arn:aws-cn:iam::123456789012:policy/boundary",
    });
    const resolved = resolveTarget(parse(raw), { tenantId: TENANT, partition: "aws-cn" });
    assert.deepEqual(resolved.roles[0]?.managedPolicyArns, [
      "arn:aws-cn:iam::aws:policy/ReadOnlyAccess",
    ]);
  });

  it("counts a placeholder for each identity it creates (principal ids are GUIDs)", () => {
    const raw = {
      resourceGroup: { name: "rg-fed", location: "westeurope", create: true },
      identities: MANY_GUIDS.map((_, i) => ({ name: `new-${i}` })),
      roles: [{ name: "all", identities: MANY_GUIDS.map((_, i) => `new-${i}`) }],
    };
    assert.equal(resolveError(raw), tooLong(2056, 41, 42));
  });
});
