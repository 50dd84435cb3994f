import { ROLE_ARN } from "../awsNames";
import { entraCloud, identifierUriTenant, v1IssuerUrl, type EntraCloudName } from "../entra";
import { issuerHostPath, policyLength } from "../trustPolicy";
import { configKey, render, type ConfigIssue } from "./issues";
import {
  MAX_INLINE_POLICIES_LENGTH,
  MAX_TAGS,
  oidcProviderArnPattern,
  type ParsedOidcProvider,
  type PartialConfig,
  type RoleConfig,
  type Salvaged,
} from "./schema";

/**
 * The checks that relate configuration values to each other, one named rule each. They run on
 * whatever parsed (`valid` lists the top-level keys that parsed whole), so one run lists every
 * problem; a rule that could misread a value that did not parse, such as a list of names with an
 * invalid entry, waits until that value is fixed.
 */
export interface RuleInput {
  readonly config: PartialConfig;
  readonly valid: ReadonlySet<string>;
}
export type Rule = (input: RuleInput) => ConfigIssue[];
/** A rule for one role; `index` is its place in `roles`. */
export type RoleRule = (
  role: Salvaged<RoleConfig>,
  index: number,
  input: RuleInput,
) => ConfigIssue[];

/** Azure resource names are case-insensitive, so orders-api and Orders-API are one identity. */
export const uniquePrincipalNames: Rule = ({ config }) => {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const check = (kind: "identities" | "callerApps", index: number, name: string | undefined) => {
    if (name === undefined) return;
    if (seen.has(name.toLowerCase())) {
      issues.push({
        path: [kind, index, "name"],
        message: "must be unique across identities and callerApps (ignoring case)",
        got: render(name),
      });
    }
    seen.add(name.toLowerCase());
  };
  config.identities?.forEach((identity, i) => check("identities", i, identity?.name));
  config.callerApps?.forEach((app, i) => check("callerApps", i, app?.name));
  return issues;
};

export const uniquePrincipalIds: Rule = ({ config }) => {
  const seen = new Set<string>();
  return (config.identities ?? []).flatMap((identity, i) => {
    const principalId = identity?.principalId;
    if (principalId === undefined) return [];
    const repeated = seen.has(principalId);
    seen.add(principalId);
    if (!repeated) return [];
    return {
      path: ["identities", i, "principalId"],
      message: "must not repeat another identity's principalId (one assignment per principal)",
      got: render(principalId),
    };
  });
};

export const resourceGroupForNewIdentities: Rule = ({ config, valid }) => {
  const createsIdentities = (config.identities ?? []).some((i) => i?.principalId === undefined);
  if (!valid.has("identities") || !valid.has("resourceGroup")) return [];
  if (!createsIdentities || config.resourceGroup !== undefined) return [];
  return [
    {
      path: ["resourceGroup"],
      message:
        "is required when identities lists a new managed identity (an entry without principalId)",
    },
  ];
};

export const locationToCreateResourceGroup: Rule = ({ config, valid }) => {
  if (!valid.has("resourceGroup") || !config.resourceGroup?.create) return [];
  if (config.resourceGroup.location !== undefined) return [];
  return [
    {
      path: ["resourceGroup", "location"],
      message: "is required when resourceGroup.create is true",
    },
  ];
};

/** An oidcProvider value (the default account's or an account's), where it is written, its account. */
export interface ProviderAt {
  readonly path: readonly (string | number)[];
  readonly provider: Salvaged<ParsedOidcProvider>;
  /** The account the provider must be in, when configured. */
  readonly accountId: string | undefined;
}
/** A rule for one oidcProvider value, the default account's or an account's. */
export type ProviderRule = (at: ProviderAt, input: RuleInput) => ConfigIssue[];

/**
 * Every oidcProvider value that parsed, where it is written, and the account it must be in when
 * that is known: the default account's (top-level `accountId`), then each account's.
 */
function oidcProviders(config: PartialConfig): ProviderAt[] {
  const accounts = [...(config.accounts ?? [])].map(([name, account]) => ({
    path: ["accounts", name, "oidcProvider"],
    provider: account.oidcProvider,
    accountId: account.accountId,
  }));
  const own = config.oidcProvider;
  const top =
    own === undefined
      ? []
      : [{ path: ["oidcProvider"], provider: own, accountId: config.accountId }];
  return [...top, ...accounts];
}

/** A configured tenantId: the other settings that name a tenant must name it. */
export const sameTenant: Rule = ({ config }) =>
  config.tenantId === undefined
    ? []
    : tenantIssues(
        config.application?.identifierUri,
        existingArns(oidcProviders(config)),
        config.tenantId,
        config.cloud,
      );

/** The existing providers' ARNs, by where they are written. */
function existingArns(
  providers: readonly ProviderAt[],
): [path: readonly (string | number)[], arn: string][] {
  return providers.flatMap(({ path, provider }) =>
    provider.existingArn === undefined ? [] : [[[...path, "existingArn"], provider.existingArn]],
  );
}

/**
 * Settings that must name the tenant the program deploys to: an `api://<tenantId>/…` identifier
 * URI and existing providers' ARNs (read for `cloud`; not at all while `cloud` is invalid).
 */
export function tenantIssues(
  uri: string | undefined,
  existing: readonly [path: readonly (string | number)[], arn: string][],
  tenantId: string,
  cloudName: EntraCloudName | undefined,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const uriTenant = uri === undefined ? undefined : identifierUriTenant(uri);
  if (uriTenant !== undefined && uriTenant !== tenantId) {
    issues.push({
      path: ["application", "identifierUri"],
      message: `must use this stack's tenant id ${tenantId}`,
      got: render(uri),
    });
  }
  if (cloudName === undefined) return issues;
  const cloud = entraCloud(cloudName);
  for (const [path, existingArn] of existing) {
    const arnTenant = oidcProviderArnPattern(cloud).exec(existingArn)?.[1];
    if (arnTenant !== undefined && arnTenant !== tenantId) {
      issues.push({
        path,
        message: `must be the provider for this stack's tenant (${issuerHostPath(v1IssuerUrl(cloud, tenantId))})`,
        got: render(existingArn),
      });
    }
  }
  return issues;
}

export const existingProviderAsItIs: ProviderRule = ({ path, provider }) => {
  const { existingArn, thumbprints, additionalAudiences } = provider;
  if (existingArn === undefined) return [];
  const settings = [
    ["thumbprints", thumbprints],
    ["additionalAudiences", additionalAudiences],
  ] as const;
  return settings
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({
      path: [...path, key],
      message: "must not be set with existingArn: an existing provider is used as it is",
      got: render(value),
    }));
};

/**
 * A shared provider is found by its URL in the account, or created, and this stack adds and
 * removes only its own audience on it: naming a provider or other stacks' audiences contradicts
 * that (each other stack adds its own audience with shared: true).
 */
export const sharedProviderAlone: ProviderRule = ({ path, provider }) => {
  if (provider.shared !== true) return [];
  const issues: ConfigIssue[] = [];
  if (provider.existingArn !== undefined) {
    issues.push({
      path: [...path, "existingArn"],
      message:
        "must not be set with shared: true: a shared provider is the account's provider for the issuer, found by its URL or created",
      got: render(provider.existingArn),
    });
  } else if (provider.additionalAudiences !== undefined) {
    issues.push({
      path: [...path, "additionalAudiences"],
      message:
        "must not be set with shared: true: a shared provider gets only this stack's own audience; each other stack adds its own with shared: true",
      got: render(provider.additionalAudiences),
    });
  }
  return issues;
};

/** An existing provider's ARN names its account, which must be the one it is configured for. */
export const existingProviderInAccount: ProviderRule = ({ path, provider, accountId }) => {
  const arn = provider.existingArn;
  if (arn === undefined || accountId === undefined || arn.split(":")[4] === accountId) return [];
  const where = path.length === 1 ? "accountId" : configKey([...path.slice(0, -1), "accountId"]);
  return [
    {
      path: [...path, "existingArn"],
      message: `must be a provider in account ${accountId} (${where})`,
      got: render(arn),
    },
  ];
};

export const uniqueAudiences: ProviderRule = ({ path, provider }, { config }) => {
  const own = config.application?.identifierUri;
  const audiences = provider.additionalAudiences ?? [];
  return audiences.flatMap((audience, i) =>
    audience !== undefined && (audience === own || audiences.indexOf(audience) !== i)
      ? {
          path: [...path, "additionalAudiences", i],
          message: "must not repeat an audience (this stack's own is always included)",
          got: render(audience),
        }
      : [],
  );
};

export const uniqueThumbprints: ProviderRule = ({ path, provider }) => {
  const thumbprints = provider.thumbprints;
  if (!Array.isArray(thumbprints) || new Set(thumbprints).size === thumbprints.length) return [];
  return [
    {
      path: [...path, "thumbprints"],
      message: "must not repeat a thumbprint",
      got: render(thumbprints),
    },
  ];
};

/** `auto` reads the signing-key host's chain: refused where no public source names that host. */
export const autoThumbprintsNeedSigningKeyHost: ProviderRule = ({ path, provider }, { config }) => {
  if (provider.thumbprints !== "auto" || config.cloud === undefined) return [];
  if (entraCloud(config.cloud).jwksUrl !== undefined) return [];
  return [
    {
      path: [...path, "thumbprints"],
      message: `must not be "auto" with cloud ${config.cloud}: no public source confirms the host serving its token signing keys (JWKS), whose certificate chain auto would pin; use "none" or a list of thumbprints`,
      got: render("auto"),
    },
  ];
};

/**
 * One entry per AWS account: two entries for one account would make two providers for one issuer
 * there (IAM allows one), and the default account is where roles without `account` already go.
 */
export const uniqueAccountIds: Rule = ({ config }) => {
  const seen = new Map<string, string>();
  return [...(config.accounts ?? [])].flatMap(([name, { accountId }]) => {
    const issues: ConfigIssue[] = [];
    const earlier = seen.get(accountId);
    if (accountId === config.accountId) {
      issues.push({
        path: ["accounts", name, "accountId"],
        message:
          "must not be the default account (accountId): roles without account deploy there; leave account out of their entries instead",
        got: render(accountId),
      });
    } else if (earlier !== undefined) {
      issues.push({
        path: ["accounts", name, "accountId"],
        message: `must not repeat the accountId of accounts.${earlier}: one entry per AWS account`,
        got: render(accountId),
      });
    }
    if (earlier === undefined) seen.set(accountId, name);
    return issues;
  });
};

/** The role the deployer assumes to reach an account is a role in that account. */
export const assumeRoleInAccount: Rule = ({ config }) =>
  [...(config.accounts ?? [])].flatMap(([name, { accountId, assumeRoleArn }]) =>
    assumeRoleArn === undefined || ROLE_ARN.exec(assumeRoleArn)?.[1] === accountId
      ? []
      : {
          path: ["accounts", name, "assumeRoleArn"],
          message: `must be a role in the account's accountId, ${accountId}`,
          got: render(assumeRoleArn),
        },
  );

/** IAM role names are case-insensitive. */
export const uniqueRoleName: RoleRule = (role, r, { config }) => {
  const name = role.name?.toLowerCase();
  if (name === undefined) return [];
  const earlier = (config.roles ?? []).slice(0, r);
  if (!earlier.some((other) => other?.name?.toLowerCase() === name)) return [];
  return [
    {
      path: ["roles", r, "name"],
      message: "must be unique (ignoring case)",
      got: render(role.name),
    },
  ];
};

export const knownRoleAccount: RoleRule = (role, r, { config, valid }) => {
  if (role.account === undefined || !valid.has("accounts")) return [];
  if (config.accounts?.has(role.account)) return [];
  const known = [...(config.accounts?.keys() ?? [])].join(", ") || "none defined";
  return [
    {
      path: ["roles", r, "account"],
      message: `must name an entry of accounts (known: ${known}); leave it out for the default account`,
      got: render(role.account),
    },
  ];
};

export const knownRoleIdentities: RoleRule = (role, r, { config, valid }) => {
  const principals = new Set(
    [...(config.identities ?? []), ...(config.callerApps ?? [])].flatMap((p) => p?.name ?? []),
  );
  // With an entry that did not parse, a name missing from this list may only be misspelt there.
  const namesKnown = valid.has("identities") && valid.has("callerApps");
  const listed = new Set<string>();
  const issues: ConfigIssue[] = [];
  role.identities?.forEach((name, i) => {
    if (name === undefined) return;
    if (namesKnown && !principals.has(name)) {
      const known = [...principals].join(", ") || "none defined";
      issues.push({
        path: ["roles", r, "identities", i],
        message: `must name an entry of identities or callerApps (known: ${known})`,
        got: render(name),
      });
    } else if (listed.has(name)) {
      issues.push({
        path: ["roles", r, "identities", i],
        message: "must not be listed twice",
        got: render(name),
      });
    }
    listed.add(name);
  });
  return issues;
};

/** The policy name is the attachment's child name, so two of one name would collide. */
export const uniqueManagedPolicyNames: RoleRule = (role, r) => {
  const arns = role.managedPolicyArns ?? [];
  const names = arns.map((arn) => arn && policyNameOf(arn));
  return names.flatMap((name, i) =>
    name !== undefined && names.indexOf(name) !== i
      ? {
          path: ["roles", r, "managedPolicyArns", i],
          message: `must not repeat a policy name (${name}) within a role`,
          got: render(arns[i]),
        }
      : [],
  );
};

export const inlinePoliciesSize: RoleRule = (role, r) => {
  const length = [...(role.inlinePolicies?.values() ?? [])].reduce(
    (sum, doc) => sum + policyLength(doc),
    0,
  );
  if (length <= MAX_INLINE_POLICIES_LENGTH) return [];
  return [
    {
      path: ["roles", r, "inlinePolicies"],
      message: `must total at most ${MAX_INLINE_POLICIES_LENGTH} characters (IAM quota, whitespace not counted)`,
      got: `${length} characters`,
    },
  ];
};

/**
 * A role tag overrides the stack tag of the same name; one in another case would be a second tag
 * of the same name, so the role must spell it as the stack does.
 */
export const roleTagsSpelledAsStackTags: RoleRule = (role, r, { config }) => {
  const stackKeys = Object.keys(config.tags ?? {});
  return Object.keys(role.tags ?? {}).flatMap((key) => {
    const stackKey = stackKeys.find((k) => k !== key && k.toLowerCase() === key.toLowerCase());
    return stackKey === undefined
      ? []
      : {
          path: ["roles", r, "tags"],
          message: `must not differ only in case from a stack tag's name (${stackKey}): spell it as the stack tags do to override that tag`,
          got: render(key),
        };
  });
};

export const roleTagCount: RoleRule = (role, r, { config }) => {
  const count = new Set([...Object.keys(config.tags ?? {}), ...Object.keys(role.tags ?? {})]).size;
  if (count <= MAX_TAGS) return [];
  return [
    {
      path: ["roles", r, "tags"],
      message: `together with the stack tags must have at most ${MAX_TAGS} tags`,
      got: `${count} tags`,
    },
  ];
};

/** Every role rule, role by role, so a role's problems are listed together. */
function eachRole(rules: readonly RoleRule[]): Rule {
  return (input) =>
    (input.config.roles ?? []).flatMap((role, r) =>
      role === undefined ? [] : rules.flatMap((rule) => rule(role, r, input)),
    );
}

/** Every provider rule, provider by provider. */
function eachProvider(rules: readonly ProviderRule[]): Rule {
  return (input) =>
    oidcProviders(input.config).flatMap((at) => rules.flatMap((rule) => rule(at, input)));
}

/** Every cross-check, in the order their problems are listed. */
export const RULES: readonly Rule[] = [
  uniquePrincipalNames,
  uniquePrincipalIds,
  resourceGroupForNewIdentities,
  locationToCreateResourceGroup,
  sameTenant,
  uniqueAccountIds,
  assumeRoleInAccount,
  eachProvider([
    existingProviderAsItIs,
    sharedProviderAlone,
    existingProviderInAccount,
    uniqueAudiences,
    uniqueThumbprints,
    autoThumbprintsNeedSigningKeyHost,
  ]),
  eachRole([
    uniqueRoleName,
    knownRoleAccount,
    knownRoleIdentities,
    uniqueManagedPolicyNames,
    inlinePoliciesSize,
    roleTagsSpelledAsStackTags,
    roleTagCount,
  ]),
];

export function crossCheck(config: PartialConfig, valid: ReadonlySet<string>): ConfigIssue[] {
  return RULES.flatMap((rule) => rule({ config, valid }));
}

/** The name of a managed policy: the last part of its ARN. */
export function policyNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}
