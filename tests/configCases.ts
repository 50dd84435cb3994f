/**
 * Stack configurations for the validation tests: a valid one, and a table of invalid ones with the
 * exact message lines each must produce, run through parseConfig and through the whole program.
 */
export const NS = "entra-aws-federation";
export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const PRINCIPAL = "1ea7e6e0-7876-4d1c-aec5-7b1c927ede74";
export const CONTEXT = { project: "entra-aws-federation", stack: "dev" };

export type Raw = Record<string, unknown>;

/** A small valid configuration; each case below changes one thing. */
export function validConfig(): Raw {
  return {
    resourceGroup: { name: "rg-fed", location: "westeurope", create: true },
    identities: [{ name: "orders-api" }, { name: "legacy-vm", principalId: PRINCIPAL }],
    callerApps: [{ name: "synapse" }],
    roles: [{ name: "orders", identities: ["orders-api", "synapse"] }],
  };
}

/** As the engine hands config to the program: namespaced keys, JSON-encoded values; undefined is unset. */
export function asStackConfig(raw: Raw): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [`${NS}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

export function withRole(role: Raw): Raw {
  return { ...validConfig(), roles: [{ name: "orders", identities: ["orders-api"], ...role }] };
}

/** An object with an own `__proto__` key, as JSON.parse makes it (a literal would set the prototype). */
export function withProtoKey(value: unknown, rest: Raw = {}): Raw {
  return Object.fromEntries<unknown>([...Object.entries(rest), ["__proto__", value]]);
}

const ALLOWED_TOP_LEVEL_KEYS =
  "tenantId, cloud, azureSubscriptionId, resourceGroup, application, identities, callerApps, roles, oidcProvider, accountId, accounts, trustPolicyMaxLength, protect, tags";

export const MANY_GUIDS = Array.from(
  { length: 42 },
  (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
);

const ANALYTICS = "111122223333";
const DATALAKE = "444455556666";
const deployer = (account: string) => `arn:aws:iam::${account}:role/deployer`;
const providerIn = (account: string, tenant = TENANT) =>
  `arn:aws:iam::${account}:oidc-provider/sts.windows.net/${tenant}/`;

/** The valid configuration with accounts, and the orders role in analytics. */
export function withAccounts(accounts: unknown, rest: Raw = {}): Raw {
  return {
    ...validConfig(),
    accounts,
    roles: [{ name: "orders", account: "analytics", identities: ["orders-api"] }],
    ...rest,
  };
}

export const invalid: [title: string, raw: Raw, expected: string[]][] = [
  [
    "a misspelt top-level key",
    { ...validConfig(), identites: [] },
    [
      `${NS}:identites: unknown configuration key; allowed keys: tenantId, cloud, azureSubscriptionId, resourceGroup, application, identities, callerApps, roles, oidcProvider, accountId, accounts, trustPolicyMaxLength, protect, tags`,
    ],
  ],
  [
    "a misspelt nested key",
    { ...validConfig(), resourceGroup: { name: "rg", lcation: "westeurope" } },
    [`${NS}:resourceGroup: unknown key "lcation"; allowed keys: name, location?, create?`],
  ],
  [
    "a tenant id that is not a GUID",
    { ...validConfig(), tenantId: "contoso.onmicrosoft.com" },
    [
      `${NS}:tenantId: must be a GUID such as 00000000-0000-0000-0000-000000000000 (or empty for the signed-in tenant) (got "contoso.onmicrosoft.com")`,
    ],
  ],
  [
    "an existing principal id that is not a GUID",
    { ...validConfig(), identities: [{ name: "legacy-vm", principalId: "not-a-guid" }] },
    [
      `${NS}:identities[0].principalId: must be a GUID such as 00000000-0000-0000-0000-000000000000 (got "not-a-guid")`,
    ],
  ],
  [
    "a wildcard subject",
    { ...validConfig(), identities: [{ name: "legacy-vm", principalId: "1ea7e6e0-*" }] },
    [
      `${NS}:identities[0].principalId: must not contain wildcards: trust policy subjects are exact service principal object ids (got "1ea7e6e0-*")`,
    ],
  ],
  [
    "an identity name too short for Azure",
    { ...validConfig(), identities: [{ name: "mi" }] },
    [
      `${NS}:identities[0].name: must be 3-128 characters: letters, digits, hyphens and underscores, starting with a letter or digit (got "mi")`,
    ],
  ],
  [
    "a caller app name with a space",
    { ...validConfig(), callerApps: [{ name: "synapse export" }] },
    [
      `${NS}:callerApps[0].name: must be 3-128 characters: letters, digits, hyphens and underscores, starting with a letter or digit (got "synapse export")`,
    ],
  ],
  [
    "a name used by an identity and a caller app",
    { ...validConfig(), callerApps: [{ name: "orders-api" }] },
    [
      `${NS}:callerApps[0].name: must be unique across identities and callerApps (ignoring case) (got "orders-api")`,
      `${NS}:roles[0].identities[1]: must name an entry of identities or callerApps (known: orders-api, legacy-vm) (got "synapse")`,
    ],
  ],
  [
    "a role name invalid for IAM",
    withRole({ name: "orders role" }),
    [
      `${NS}:roles[0].name: must be 1-64 characters: letters, digits and + = , . @ _ - (got "orders role")`,
    ],
  ],
  [
    "a role name longer than 64 characters",
    withRole({ name: "r".repeat(65) }),
    [
      `${NS}:roles[0].name: must be 1-64 characters: letters, digits and + = , . @ _ - (got "${"r".repeat(65)}")`,
    ],
  ],
  [
    "two roles with one name",
    {
      ...validConfig(),
      roles: [
        { name: "orders", identities: ["orders-api"] },
        { name: "orders", identities: ["synapse"] },
      ],
    },
    [`${NS}:roles[1].name: must be unique (ignoring case) (got "orders")`],
  ],
  [
    "a role listing an unknown identity",
    withRole({ identities: ["orders-ap"] }),
    [
      `${NS}:roles[0].identities[0]: must name an entry of identities or callerApps (known: orders-api, legacy-vm, synapse) (got "orders-ap")`,
    ],
  ],
  [
    "a role listing no identity",
    withRole({ identities: [] }),
    [`${NS}:roles[0].identities: must list at least one identity or caller app (got [])`],
  ],
  [
    "a role listing an identity twice",
    withRole({ identities: ["orders-api", "orders-api"] }),
    [`${NS}:roles[0].identities[1]: must not be listed twice (got "orders-api")`],
  ],
  [
    "no roles",
    { ...validConfig(), roles: [] },
    [`${NS}:roles: must define at least one role (got [])`],
  ],
  [
    "a max session below an hour",
    withRole({ maxSessionDurationSeconds: 900 }),
    [`${NS}:roles[0].maxSessionDurationSeconds: must be an integer from 3600 to 43200 (got 900)`],
  ],
  [
    "a max session above 12 hours",
    withRole({ maxSessionDurationSeconds: 43201 }),
    [`${NS}:roles[0].maxSessionDurationSeconds: must be an integer from 3600 to 43200 (got 43201)`],
  ],
  [
    "a malformed managed policy ARN",
    withRole({ managedPolicyArns: ["arn:aws:iam:::policy/ReadOnlyAccess"] }),
    [
      `${NS}:roles[0].managedPolicyArns[0]: must be an IAM managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess (got "arn:aws:iam:::policy/ReadOnlyAccess")`,
    ],
  ],
  [
    "a role ARN as permissions boundary",
    withRole({ permissionsBoundaryArn: "arn:aws:iam::123456789012:role/boundary" }),
    [
      `${NS}:roles[0].permissionsBoundaryArn: must be an IAM managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess (got "arn:aws:iam::123456789012:role/boundary")`,
    ],
  ],
  [
    "two managed policies with one name",
    withRole({
      managedPolicyArns: [
        "arn:aws:iam::aws:policy/ReadOnly",
        "arn:aws:iam::123456789012:policy/team/ReadOnly",
      ],
    }),
    [
      `${NS}:roles[0].managedPolicyArns[1]: must not repeat a policy name (ReadOnly) within a role (got "arn:aws:iam::123456789012:policy/team/ReadOnly")`,
    ],
  ],
  [
    "a role path without slashes",
    withRole({ path: "federation" }),
    [
      `${NS}:roles[0].path: must be / or 3-512 printable ASCII characters starting and ending with / (got "federation")`,
    ],
  ],
  [
    "an inline policy without statements",
    withRole({ inlinePolicies: { s3: { Version: "2012-10-17", Statement: [] } } }),
    [`${NS}:roles[0].inlinePolicies.s3.Statement: must have at least one statement (got [])`],
  ],
  [
    "an inline policy with a bad name",
    withRole({
      inlinePolicies: { "s3 read": { Version: "2012-10-17", Statement: [{ Effect: "Allow" }] } },
    }),
    [
      `${NS}:roles[0].inlinePolicies: has an invalid key: it must be 1-128 characters: letters, digits and + = , . @ _ - (got "s3 read")`,
    ],
  ],
  [
    "an inline policy statement without Effect",
    withRole({
      inlinePolicies: { s3: { Version: "2012-10-17", Statement: [{ Action: "s3:*" }] } },
    }),
    [`${NS}:roles[0].inlinePolicies.s3.Statement[0].Effect: is required`],
  ],
  [
    "a tag reserved for AWS",
    { ...validConfig(), tags: { "aws:owner": "me" } },
    [
      `${NS}:tags: has an invalid key: it must be 1-128 characters: letters, digits, spaces and _ . : = + - @, not starting with aws: (got "aws:owner")`,
    ],
  ],
  [
    "more than 50 tags with the role's",
    {
      ...withRole({
        tags: Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`role${i}`, "x"])),
      }),
      tags: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`stack${i}`, "x"])),
    },
    [`${NS}:roles[0].tags: together with the stack tags must have at most 50 tags (got 51 tags)`],
  ],
  [
    "an identifier URI rejected by the tenant policy",
    { ...validConfig(), application: { identifierUri: "api://my-aws-fed" } },
    [
      `${NS}:application.identifierUri: must be api://<tenantId>/<name>, api://<verified domain>/<name>, https://<verified domain>/<path> or https://<host>.<verified domain>[/<path>] (the tenant's identifier URI policy rejects other forms such as api://<name>); omit it to use api://<appId> (got "api://my-aws-fed")`,
    ],
  ],
  [
    "an identifier URI for another tenant",
    {
      ...validConfig(),
      tenantId: TENANT,
      application: { identifierUri: "api://00000000-0000-0000-0000-000000000001/aws" },
    },
    [
      `${NS}:application.identifierUri: must use this stack's tenant id ${TENANT} (got "api://00000000-0000-0000-0000-000000000001/aws")`,
    ],
  ],
  [
    "an identifier URI with a wildcard",
    { ...validConfig(), application: { identifierUri: "https://*.contoso.com" } },
    [`${NS}:application.identifierUri: must not contain wildcards (got "https://*.contoso.com")`],
  ],
  [
    "an app role value with a space",
    { ...validConfig(), application: { appRoleValue: "Assume Role" } },
    [
      `${NS}:application.appRoleValue: must be 1-120 printable ASCII characters without spaces, " or \\, not starting with a period (got "Assume Role")`,
    ],
  ],
  [
    "a thumbprint that is not 40 hex characters",
    {
      ...validConfig(),
      oidcProvider: { thumbprints: ["626d44e704d1ceabe3bf0d53397464ac8080142"] },
    },
    [
      `${NS}:oidcProvider.thumbprints: must be "auto", "none" or a list of 1-5 SHA-1 thumbprints (40 hex characters each) (got ["626d44e704d1ceabe3bf0d53397464ac8080142"])`,
    ],
  ],
  [
    "six thumbprints",
    {
      ...validConfig(),
      oidcProvider: { thumbprints: Array.from({ length: 6 }, (_, i) => String(i).repeat(40)) },
    },
    [
      `${NS}:oidcProvider.thumbprints: must be "auto", "none" or a list of 1-5 SHA-1 thumbprints (40 hex characters each) (got ["0000000000000000000000000000000000000000","1111111111111111111111111111111111111111","22222222222222222222222222222...)`,
    ],
  ],
  [
    "an existing provider ARN without the trailing slash",
    {
      ...validConfig(),
      oidcProvider: {
        existingArn: `arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}`,
      },
    },
    [
      `${NS}:oidcProvider.existingArn: must be the ARN of the IAM OIDC provider for Entra v1 tokens: arn:<partition>:iam::<12-digit account>:oidc-provider/sts.windows.net/<tenantId>/ (tenant id in lower case, as in the tokens' issuer, and the trailing slash) (got "arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}")`,
    ],
  ],
  [
    "an existing provider with thumbprints",
    {
      ...validConfig(),
      oidcProvider: {
        existingArn: `arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/`,
        thumbprints: "auto",
      },
    },
    [
      `${NS}:oidcProvider.thumbprints: must not be set with existingArn: an existing provider is used as it is (got "auto")`,
    ],
  ],
  [
    "a created identity without a resource group",
    { ...validConfig(), resourceGroup: undefined },
    [
      `${NS}:resourceGroup: is required when identities lists a new managed identity (an entry without principalId)`,
    ],
  ],
  [
    "a resource group to create without a location",
    { ...validConfig(), resourceGroup: { name: "rg-fed", create: true } },
    [`${NS}:resourceGroup.location: is required when resourceGroup.create is true`],
  ],
  [
    "a secret lifetime over two years",
    { ...validConfig(), callerApps: [{ name: "synapse", secretExpiresInDays: 731 }] },
    [`${NS}:callerApps[0].secretExpiresInDays: must be an integer from 1 to 730 (got 731)`],
  ],
  [
    "protect not a boolean",
    { ...validConfig(), protect: "yes" },
    [`${NS}:protect: must be true or false (got "yes")`],
  ],
  [
    "a trust policy quota above 4096",
    { ...validConfig(), trustPolicyMaxLength: 8192 },
    [`${NS}:trustPolicyMaxLength: must be an integer from 2048 to 4096 (got 8192)`],
  ],
  [
    "two identities differing only in case",
    { ...validConfig(), identities: [{ name: "orders-api" }, { name: "Orders-API" }] },
    [
      `${NS}:identities[1].name: must be unique across identities and callerApps (ignoring case) (got "Orders-API")`,
    ],
  ],
  [
    "two roles differing only in case",
    {
      ...validConfig(),
      roles: [
        { name: "orders", identities: ["orders-api"] },
        { name: "Orders", identities: ["synapse"] },
      ],
    },
    [`${NS}:roles[1].name: must be unique (ignoring case) (got "Orders")`],
  ],
  [
    "one principal brought twice",
    {
      ...validConfig(),
      identities: [
        { name: "legacy-vm", principalId: PRINCIPAL },
        { name: "legacy-vm-2", principalId: PRINCIPAL.toUpperCase() },
      ],
      roles: [{ name: "orders", identities: ["legacy-vm"] }],
    },
    [
      `${NS}:identities[1].principalId: must not repeat another identity's principalId (one assignment per principal) (got "${PRINCIPAL}")`,
    ],
  ],
  [
    "an https identifier URI on a bare domain without a path",
    { ...validConfig(), application: { identifierUri: "https://contoso.com" } },
    [
      `${NS}:application.identifierUri: must be api://<tenantId>/<name>, api://<verified domain>/<name>, https://<verified domain>/<path> or https://<host>.<verified domain>[/<path>] (the tenant's identifier URI policy rejects other forms such as api://<name>); omit it to use api://<appId> (got "https://contoso.com")`,
    ],
  ],
  [
    "an app role value with a double quote",
    { ...validConfig(), application: { appRoleValue: 'Assume"Role' } },
    [
      `${NS}:application.appRoleValue: must be 1-120 printable ASCII characters without spaces, " or \\, not starting with a period (got "Assume\\"Role")`,
    ],
  ],
  [
    "another stack's audience with a wildcard",
    { ...validConfig(), oidcProvider: { additionalAudiences: ["api://*"] } },
    [
      `${NS}:oidcProvider.additionalAudiences[0]: must be 1-255 characters without spaces or wildcards (another stack's audience) (got "api://*")`,
    ],
  ],
  [
    "another stack's audience listed twice",
    {
      ...validConfig(),
      oidcProvider: { additionalAudiences: ["api://team-b/x", "api://team-b/x"] },
    },
    [
      `${NS}:oidcProvider.additionalAudiences[1]: must not repeat an audience (this stack's own is always included) (got "api://team-b/x")`,
    ],
  ],
  [
    "other stacks' audiences with an existing provider",
    {
      ...validConfig(),
      oidcProvider: {
        existingArn: `arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/`,
        additionalAudiences: ["api://team-b/x"],
      },
    },
    [
      `${NS}:oidcProvider.additionalAudiences: must not be set with existingArn: an existing provider is used as it is (got ["api://team-b/x"])`,
    ],
  ],
  [
    "an existing provider's ARN with an upper-case tenant id (tokens' issuer is lower case)",
    {
      ...validConfig(),
      oidcProvider: {
        existingArn: `arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${TENANT.toUpperCase()}/`,
      },
    },
    [
      `${NS}:oidcProvider.existingArn: must be the ARN of the IAM OIDC provider for Entra v1 tokens: arn:<partition>:iam::<12-digit account>:oidc-provider/sts.windows.net/<tenantId>/ (tenant id in lower case, as in the tokens' issuer, and the trailing slash) (got "arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${TENANT.toUpperCase()}/")`,
    ],
  ],
  [
    "several problems at once",
    {
      ...validConfig(),
      protect: 1,
      roles: [{ name: "orders", identities: ["orders-api"], path: "x" }],
    },
    [
      `${NS}:roles[0].path: must be / or 3-512 printable ASCII characters starting and ending with / (got "x")`,
      `${NS}:protect: must be true or false (got 1)`,
    ],
  ],
  [
    "a top-level __proto__ key smuggling in roles (not a prototype: an unknown key)",
    withProtoKey(
      { roles: [{ name: "orders", identities: ["orders-api"] }] },
      {
        ...validConfig(),
        roles: undefined,
      },
    ),
    [
      `${NS}:__proto__: unknown configuration key; allowed keys: ${ALLOWED_TOP_LEVEL_KEYS}`,
      `${NS}:roles: is required`,
    ],
  ],
  [
    "a top-level key named like an Object.prototype member",
    { ...validConfig(), constructor: { roles: [] } },
    [`${NS}:constructor: unknown configuration key; allowed keys: ${ALLOWED_TOP_LEVEL_KEYS}`],
  ],
  [
    "a role named __proto__ (the roles output is keyed by role name)",
    withRole({ name: "__proto__" }),
    [
      `${NS}:roles[0].name: must not be __proto__: the roles output is keyed by role name, and Pulumi drops a __proto__ key (got "__proto__")`,
    ],
  ],
  [
    "a stack tag named __proto__",
    { ...validConfig(), tags: withProtoKey("x", { env: "dev" }) },
    [
      `${NS}:tags: has an invalid key: it must not be __proto__: Pulumi drops a __proto__ key from resource inputs, so the tag would never be set (got "__proto__")`,
    ],
  ],
  [
    "a role tag named __proto__",
    withRole({ tags: withProtoKey("x") }),
    [
      `${NS}:roles[0].tags: has an invalid key: it must not be __proto__: Pulumi drops a __proto__ key from resource inputs, so the tag would never be set (got "__proto__")`,
    ],
  ],
  [
    "an identity named __proto__ (Azure names start with a letter or digit)",
    { ...validConfig(), identities: [{ name: "__proto__" }] },
    [
      `${NS}:identities[0].name: must be 3-128 characters: letters, digits, hyphens and underscores, starting with a letter or digit (got "__proto__")`,
    ],
  ],
  [
    "an inline policy named __proto__ with a bad document (its problems are not skipped)",
    withRole({ inlinePolicies: withProtoKey({ Version: "2012-10-17", Statement: [] }) }),
    [
      `${NS}:roles[0].inlinePolicies.__proto__.Statement: must have at least one statement (got [])`,
    ],
  ],
  [
    "a role path of two slashes (IAM needs a character between them)",
    withRole({ path: "//" }),
    [
      `${NS}:roles[0].path: must be / or 3-512 printable ASCII characters starting and ending with / (got "//")`,
    ],
  ],
  [
    "an identifier URI ending in /.default (the token scope, not the audience)",
    { ...validConfig(), application: { identifierUri: "api://contoso.com/aws/.default" } },
    [
      `${NS}:application.identifierUri: must not end in /.default: that is the token scope, which the program and the credentials helper derive from the App ID URI (got "api://contoso.com/aws/.default")`,
    ],
  ],
  [
    "an identifier URI with ${ (an IAM policy variable in the aud condition)",
    { ...validConfig(), application: { identifierUri: "api://contoso.com/${aws:username}" } },
    [
      `${NS}:application.identifierUri: must not contain \${: IAM would read it as a policy variable in the trust policy's aud condition, and no token could assume the roles (got "api://contoso.com/\${aws:username}")`,
    ],
  ],
  [
    "stack tags differing only in case",
    { ...validConfig(), tags: { Env: "dev", env: "prod" } },
    [
      `${NS}:tags: must not have tag names that differ only in case (Azure compares tag names ignoring case, and role tags merge with the stack tags) (got ["Env","env"])`,
    ],
  ],
  [
    "role tags differing only in case",
    withRole({ tags: { Team: "a", TEAM: "b" } }),
    [
      `${NS}:roles[0].tags: must not have tag names that differ only in case (Azure compares tag names ignoring case, and role tags merge with the stack tags) (got ["Team","TEAM"])`,
    ],
  ],
  [
    "a role tag overriding a stack tag in another case",
    { ...withRole({ tags: { env: "prod" } }), tags: { Env: "dev" } },
    [
      `${NS}:roles[0].tags: must not differ only in case from a stack tag's name (Env): spell it as the stack tags do to override that tag (got "env")`,
    ],
  ],
  [
    "an unknown key, a session out of range and an unknown identity in one role, all in one run",
    { ...withRole({ maxSessionDurationSeconds: 900, identities: ["orders-ap"] }), identites: [] },
    [
      `${NS}:identites: unknown configuration key; allowed keys: ${ALLOWED_TOP_LEVEL_KEYS}`,
      `${NS}:roles[0].maxSessionDurationSeconds: must be an integer from 3600 to 43200 (got 900)`,
      `${NS}:roles[0].identities[0]: must name an entry of identities or callerApps (known: orders-api, legacy-vm, synapse) (got "orders-ap")`,
    ],
  ],
  [
    "a session out of range in one role and an unknown identity in another, in one run",
    {
      ...validConfig(),
      roles: [
        { name: "orders", identities: ["orders-api"], maxSessionDurationSeconds: 60 },
        { name: "reports", identities: ["synapse", "nobody"] },
      ],
    },
    [
      `${NS}:roles[0].maxSessionDurationSeconds: must be an integer from 3600 to 43200 (got 60)`,
      `${NS}:roles[1].identities[1]: must name an entry of identities or callerApps (known: orders-api, legacy-vm, synapse) (got "nobody")`,
    ],
  ],
  [
    "an invalid identity entry: role references wait for it (the name list is incomplete)",
    {
      ...validConfig(),
      identities: [{ name: "orders-api" }, { name: "legacy vm", principalId: PRINCIPAL }],
      roles: [{ name: "orders", identities: ["orders-api", "legacy vm"], path: "x" }],
    },
    [
      `${NS}:identities[1].name: must be 3-128 characters: letters, digits, hyphens and underscores, starting with a letter or digit (got "legacy vm")`,
      `${NS}:roles[0].path: must be / or 3-512 printable ASCII characters starting and ending with / (got "x")`,
    ],
  ],
  [
    "a __proto__ key inside an inline policy's statements (it would vanish on the way to IAM)",
    withRole({
      inlinePolicies: {
        s3: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "s3:*", Resource: "*" },
            {
              Effect: "Allow",
              Action: "s3:*",
              Resource: "*",
              Condition: { StringEquals: withProtoKey("x") },
            },
          ],
        },
      },
    }),
    [
      `${NS}:roles[0].inlinePolicies.s3.Statement[1].Condition.StringEquals: must not have a key __proto__: zod and Pulumi drop that key, so IAM would get another policy than the one written (got "__proto__")`,
    ],
  ],
  [
    "cloud AzureUSGovernment (no public source confirms its v1 token issuer)",
    { ...validConfig(), cloud: "AzureUSGovernment" },
    [
      `${NS}:cloud: is not supported yet: no public Microsoft source confirms the v1 token issuer of Azure US Government tenants, and a wrong issuer would make every role unassumable; must be one of AzurePublic, AzureChina (got "AzureUSGovernment")`,
    ],
  ],
  [
    "a cloud name Entra does not have",
    { ...validConfig(), cloud: "AzureCloud" },
    [`${NS}:cloud: must be one of AzurePublic, AzureChina (got "AzureCloud")`],
  ],
  [
    "thumbprints auto for AzureChina (no public source confirms its signing-key host)",
    { ...validConfig(), cloud: "AzureChina", oidcProvider: { thumbprints: "auto" } },
    [
      `${NS}:oidcProvider.thumbprints: must not be "auto" with cloud AzureChina: no public source confirms the host serving its token signing keys (JWKS), whose certificate chain auto would pin; use "none" or a list of thumbprints (got "auto")`,
    ],
  ],
  [
    "an existing provider for another cloud's issuer",
    {
      ...validConfig(),
      cloud: "AzureChina",
      oidcProvider: {
        existingArn: `arn:aws-cn:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/`,
      },
    },
    [
      `${NS}:oidcProvider.existingArn: must be the ARN of the IAM OIDC provider for Entra v1 tokens: arn:<partition>:iam::<12-digit account>:oidc-provider/sts.chinacloudapi.cn/<tenantId>/ (tenant id in lower case, as in the tokens' issuer, and the trailing slash) (got "arn:aws-cn:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/")`,
    ],
  ],
  [
    "an invalid cloud: the existing provider's ARN, which names the cloud's issuer, waits for it",
    {
      ...validConfig(),
      cloud: "China",
      oidcProvider: {
        existingArn: `arn:aws-cn:iam::123456789012:oidc-provider/sts.chinacloudapi.cn/${TENANT}/`,
        thumbprints: "none",
      },
    },
    [
      `${NS}:cloud: must be one of AzurePublic, AzureChina (got "China")`,
      `${NS}:oidcProvider.thumbprints: must not be set with existingArn: an existing provider is used as it is (got "none")`,
    ],
  ],
  [
    "a role in an account that accounts does not list",
    withAccounts(
      { analytics: { accountId: ANALYTICS } },
      { roles: [{ name: "orders", account: "analytic", identities: ["orders-api"] }] },
    ),
    [
      `${NS}:roles[0].account: must name an entry of accounts (known: analytics); leave it out for the default account (got "analytic")`,
    ],
  ],
  [
    "a role in an account while there are no accounts",
    withRole({ account: "analytics" }),
    [
      `${NS}:roles[0].account: must name an entry of accounts (known: none defined); leave it out for the default account (got "analytics")`,
    ],
  ],
  [
    "two accounts with one account id, and one that is the default account's",
    withAccounts(
      {
        analytics: { accountId: ANALYTICS },
        reports: { accountId: ANALYTICS },
        main: { accountId: DATALAKE },
      },
      { accountId: DATALAKE },
    ),
    [
      `${NS}:accounts.reports.accountId: must not repeat the accountId of accounts.analytics: one entry per AWS account (got "${ANALYTICS}")`,
      `${NS}:accounts.main.accountId: must not be the default account (accountId): roles without account deploy there; leave account out of their entries instead (got "${DATALAKE}")`,
    ],
  ],
  [
    "account ids that are not 12 digits in a string (a YAML number loses leading zeros)",
    withAccounts({ analytics: { accountId: 11112222333 } }, { accountId: "12345678901" }),
    [
      `${NS}:accountId: must be a 12-digit AWS account id as a string, such as "111122223333" (quote it in YAML: a number loses leading zeros) (got "12345678901")`,
      `${NS}:accounts.analytics.accountId: must be a 12-digit AWS account id as a string, such as "111122223333" (quote it in YAML: a number loses leading zeros) (got 11112222333)`,
    ],
  ],
  [
    "an account without accountId, with an unknown key, a bad region and a bad deployer role ARN",
    withAccounts({
      analytics: { accountId: ANALYTICS, region: "EU West", assumeRoleArn: "deployer" },
      datalake: { regoin: "eu-west-1" },
    }),
    [
      `${NS}:accounts.analytics.region: must be an AWS region name such as eu-west-1 (got "EU West")`,
      `${NS}:accounts.analytics.assumeRoleArn: must be an IAM role ARN such as arn:aws:iam::111122223333:role/deployer (got "deployer")`,
      `${NS}:accounts.datalake.accountId: is required`,
      `${NS}:accounts.datalake: unknown key "regoin"; allowed keys: accountId, region?, assumeRoleArn?, oidcProvider?`,
    ],
  ],
  [
    "an account named default (the oidcProviders output's name for the default account) or with a space",
    withAccounts({
      analytics: { accountId: ANALYTICS },
      default: { accountId: DATALAKE },
      "data lake": { accountId: "777788889999" },
    }),
    [
      `${NS}:accounts: has an invalid key: it must be 1-64 characters: letters, digits, hyphens and underscores, starting with a letter or digit, and not default (the oidcProviders output's name for the default account) (got "default")`,
      `${NS}:accounts: has an invalid key: it must be 1-64 characters: letters, digits, hyphens and underscores, starting with a letter or digit, and not default (the oidcProviders output's name for the default account) (got "data lake")`,
    ],
  ],
  [
    "accounts that is not a map",
    withAccounts([{ accountId: ANALYTICS }]),
    [
      `${NS}:accounts: must be a map of account names to { accountId, region?, assumeRoleArn?, oidcProvider? } (got [{"accountId":"${ANALYTICS}"}])`,
    ],
  ],
  [
    "a deployer role in another account than the account's",
    withAccounts({ analytics: { accountId: ANALYTICS, assumeRoleArn: deployer(DATALAKE) } }),
    [
      `${NS}:accounts.analytics.assumeRoleArn: must be a role in the account's accountId, ${ANALYTICS} (got "${deployer(DATALAKE)}")`,
    ],
  ],
  [
    "shared with an existing provider or other stacks' audiences (a shared provider gets only this stack's)",
    withAccounts(
      {
        analytics: {
          accountId: ANALYTICS,
          oidcProvider: { shared: true, existingArn: providerIn(ANALYTICS) },
        },
        datalake: {
          accountId: DATALAKE,
          oidcProvider: { shared: true, additionalAudiences: ["api://team-b"] },
        },
      },
      { oidcProvider: { shared: true, additionalAudiences: ["api://team-c"] } },
    ),
    [
      `${NS}:oidcProvider.additionalAudiences: must not be set with shared: true: a shared provider gets only this stack's own audience; each other stack adds its own with shared: true (got ["api://team-c"])`,
      `${NS}:accounts.analytics.oidcProvider.existingArn: must not be set with shared: true: a shared provider is the account's provider for the issuer, found by its URL or created (got "${providerIn(ANALYTICS)}")`,
      `${NS}:accounts.datalake.oidcProvider.additionalAudiences: must not be set with shared: true: a shared provider gets only this stack's own audience; each other stack adds its own with shared: true (got ["api://team-b"])`,
    ],
  ],
  [
    "shared that is not a boolean",
    { ...validConfig(), oidcProvider: { shared: "yes" } },
    [`${NS}:oidcProvider.shared: must be true or false (got "yes")`],
  ],
  [
    "more than 100 audiences on an account's provider (IAM's client ID limit, this stack's own included)",
    withAccounts({
      analytics: {
        accountId: ANALYTICS,
        oidcProvider: {
          additionalAudiences: Array.from({ length: 100 }, (_, i) => `api://team-${i}`),
        },
      },
    }),
    [
      `${NS}:accounts.analytics.oidcProvider.additionalAudiences: must be a list of at most 99 other stacks' audiences (App ID URIs) (got [${Array.from(
        { length: 100 },
        (_, i) => `"api://team-${i}"`,
      )
        .join(",")
        .slice(0, 116)}...)`,
    ],
  ],
  [
    "an existing provider in another account than the one it is configured for",
    withAccounts(
      { analytics: { accountId: ANALYTICS, oidcProvider: { existingArn: providerIn(DATALAKE) } } },
      { accountId: "123456789012", oidcProvider: { existingArn: providerIn(ANALYTICS) } },
    ),
    [
      `${NS}:oidcProvider.existingArn: must be a provider in account 123456789012 (accountId) (got "${providerIn(ANALYTICS)}")`,
      `${NS}:accounts.analytics.oidcProvider.existingArn: must be a provider in account ${ANALYTICS} (${NS}:accounts.analytics.accountId) (got "${providerIn(DATALAKE)}")`,
    ],
  ],
  [
    "an account's existing provider for another tenant than tenantId",
    withAccounts(
      {
        analytics: {
          accountId: ANALYTICS,
          oidcProvider: { existingArn: providerIn(ANALYTICS, PRINCIPAL) },
        },
      },
      { tenantId: TENANT },
    ),
    [
      `${NS}:accounts.analytics.oidcProvider.existingArn: must be the provider for this stack's tenant (sts.windows.net/${TENANT}/) (got "${providerIn(ANALYTICS, PRINCIPAL)}")`,
    ],
  ],
  [
    "an account's thumbprints repeated, and auto for AzureChina",
    withAccounts(
      {
        analytics: {
          accountId: ANALYTICS,
          oidcProvider: { thumbprints: ["a".repeat(40), "A".repeat(40)] },
        },
        datalake: { accountId: DATALAKE, oidcProvider: { thumbprints: "auto" } },
      },
      { cloud: "AzureChina" },
    ),
    [
      `${NS}:accounts.analytics.oidcProvider.thumbprints: must not repeat a thumbprint (got ["${"a".repeat(40)}","${"a".repeat(40)}"])`,
      `${NS}:accounts.datalake.oidcProvider.thumbprints: must not be "auto" with cloud AzureChina: no public source confirms the host serving its token signing keys (JWKS), whose certificate chain auto would pin; use "none" or a list of thumbprints (got "auto")`,
    ],
  ],
  [
    "an azureSubscriptionId that is not a GUID",
    { ...validConfig(), azureSubscriptionId: "my-subscription" },
    [
      `${NS}:azureSubscriptionId: must be a GUID such as 00000000-0000-0000-0000-000000000000 (got "my-subscription")`,
    ],
  ],
];
