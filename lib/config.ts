import type * as aws from "@pulumi/aws";
import { z } from "zod";
import { identifierUriTenant } from "./entra";
import { MAX_THUMBPRINTS } from "./thumbprints";
import {
  buildTrustPolicy,
  entraIssuerUrl,
  oidcProviderArn,
  policyLength,
  MAX_TRUST_POLICY_LENGTH,
  subjectsThatFit,
  trustPolicyTooLongMessage,
  type TrustPolicyInput,
} from "./trustPolicy";

/** Project name and config namespace: `entra-aws-federation:<key>`. */
export const CONFIG_NAMESPACE = "entra-aws-federation";

// Defaults shared with Pulumi.yaml's `config:` block (a test keeps the two equal).
export const DEFAULT_TRUST_POLICY_MAX_LENGTH = 2048;
export const DEFAULT_APP_ROLE_VALUE = "AssumeRoleWithWebIdentity";
export const DEFAULT_SECRET_EXPIRES_IN_DAYS = 180;
export const DEFAULT_MAX_SESSION_DURATION_SECONDS = 3600;
/** IAM: the aggregate size of a role's inline policies, whitespace not counted. */
export const MAX_INLINE_POLICIES_LENGTH = 10240;
/** IAM: at most 100 client IDs (audiences) per OIDC provider. */
export const MAX_CLIENT_IDS = 100;
/** IAM and Azure Resource Manager both allow 50 tags per resource. */
export const MAX_TAGS = 50;

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const WILDCARD = /[*?]/;
const PARTITION = "aws(?:-[a-z]+)*";
const POLICY_ARN = new RegExp(
  `^arn:${PARTITION}:iam::(?:aws|\\d{12}):policy/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,128}$`,
);
const OIDC_PROVIDER_ARN = new RegExp(
  `^arn:${PARTITION}:iam::\\d{12}:oidc-provider/sts\\.windows\\.net/([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})/$`,
);

const MSG = {
  guid: "must be a GUID such as 00000000-0000-0000-0000-000000000000",
  azureName:
    "must be 3-128 characters: letters, digits, hyphens and underscores, starting with a letter or digit",
  roleName: "must be 1-64 characters: letters, digits and + = , . @ _ -",
  policyName: "must be 1-128 characters: letters, digits and + = , . @ _ -",
  resourceGroupName:
    "must be 1-90 characters: letters, digits, underscores, hyphens, periods and parentheses, not ending in a period",
  location: "must be an Azure region name such as westeurope (az account list-locations -o table)",
  displayName: "must be 1-120 characters without leading or trailing spaces",
  appRoleValue:
    'must be 1-120 printable ASCII characters without spaces, " or \\, not starting with a period',
  policyArn: "must be an IAM managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess",
  path: "must be / or 1-512 printable ASCII characters starting and ending with /",
  existingArn:
    "must be the ARN of the IAM OIDC provider for Entra v1 tokens: arn:<partition>:iam::<12-digit account>:oidc-provider/sts.windows.net/<tenantId>/ (tenant id in lower case, as in the tokens' issuer, and the trailing slash)",
  audience: "must be 1-255 characters without spaces or wildcards (another stack's audience)",
  additionalAudiences: `must be a list of at most ${MAX_CLIENT_IDS - 1} other stacks' audiences (App ID URIs)`,
  thumbprints: `must be "auto", "none" or a list of 1-${MAX_THUMBPRINTS} SHA-1 thumbprints (40 hex characters each)`,
  tagKey:
    "must be 1-128 characters: letters, digits, spaces and _ . : = + - @, not starting with aws:",
  tagValue: "must be at most 256 characters: letters, digits, spaces and _ . : / = + - @",
  identifierUri:
    "must be api://<tenantId>/<name>, api://<verified domain>/<name>, https://<verified domain>/<path> or https://<host>.<verified domain>[/<path>] (the tenant's identifier URI policy rejects other forms such as api://<name>); omit it to use api://<appId>",
  wildcard:
    "must not contain wildcards: trust policy subjects are exact service principal object ids",
};

function pattern(re: RegExp, message: string, max = Infinity) {
  return z.string({ error: message }).max(max, { error: message }).regex(re, { error: message });
}

function integer(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, {
      error: message,
    });
}

/** An object that rejects misspelt keys, naming the allowed ones. */
function strictObject<T extends z.core.$ZodLooseShape>(shape: T, required: readonly string[] = []) {
  const allowed = Object.keys(shape)
    .map((key) => (required.includes(key) ? key : `${key}?`))
    .join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}; allowed keys: ${allowed}`
        : `must be an object with keys ${allowed}`,
  });
}

const guid = pattern(GUID, MSG.guid).transform((id) => id.toLowerCase());

const subjectId = z
  .string({ error: MSG.guid })
  .refine((id) => !WILDCARD.test(id), { error: MSG.wildcard, abort: true })
  .pipe(guid);

const azureName = pattern(/^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/, MSG.azureName);

const tags = z
  .record(
    pattern(/^(?!aws:)[\p{L}\p{Z}\p{N}_.:=+\-@]{1,128}$/iu, MSG.tagKey),
    pattern(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u, MSG.tagValue),
    { error: "must be a map of tag names to string values" },
  )
  .refine((t) => Object.keys(t).length <= MAX_TAGS, {
    error: `must have at most ${MAX_TAGS} tags`,
  });

const policyStatement = z
  .looseObject(
    { Effect: z.enum(["Allow", "Deny"], { error: 'must be "Allow" or "Deny"' }) },
    { error: "must be a policy statement object" },
  )
  // Statement contents beyond Effect are IAM's to check (MalformedPolicyDocument at deployment).
  .transform((s) => s as aws.iam.PolicyStatement);

const policyDocument = strictObject(
  {
    Version: z.literal("2012-10-17", { error: 'must be "2012-10-17"' }),
    Id: z.string({ error: "must be a string" }).optional(),
    Statement: z
      .array(policyStatement, { error: "must be a list of policy statements" })
      .min(1, { error: "must have at least one statement" }),
  },
  ["Version", "Statement"],
);

const identifierUri = z
  .string({ error: MSG.identifierUri })
  .refine((uri) => !WILDCARD.test(uri), { error: "must not contain wildcards", abort: true })
  .refine(isAllowedIdentifierUriForm, { error: MSG.identifierUri });

const schema = z.object({
  tenantId: z
    .union([z.literal(""), guid], { error: `${MSG.guid} (or empty for the signed-in tenant)` })
    .optional()
    .transform((id) => (id === "" ? undefined : id)),
  resourceGroup: strictObject(
    {
      name: pattern(/^[-\w.()]{0,89}[-\w()]$/u, MSG.resourceGroupName),
      location: pattern(/^[a-z][a-z0-9]*$/, MSG.location).optional(),
      create: z.boolean({ error: "must be true or false" }).default(false),
    },
    ["name"],
  ).optional(),
  application: strictObject({
    displayName: pattern(/^\S(?:.{0,118}\S)?$/u, MSG.displayName).optional(),
    identifierUri: identifierUri.optional(),
    appRoleValue: pattern(/^(?!\.)[!#-[\]-~]{1,120}$/, MSG.appRoleValue).default(
      DEFAULT_APP_ROLE_VALUE,
    ),
  }).default({ appRoleValue: DEFAULT_APP_ROLE_VALUE }),
  identities: z
    .array(strictObject({ name: azureName, principalId: subjectId.optional() }, ["name"]), {
      error: "must be a list of { name } or { name, principalId }",
    })
    .default([]),
  callerApps: z
    .array(
      strictObject(
        {
          name: azureName,
          secretExpiresInDays: integer(1, 730).default(DEFAULT_SECRET_EXPIRES_IN_DAYS),
        },
        ["name"],
      ),
      { error: "must be a list of { name, secretExpiresInDays? }" },
    )
    .default([]),
  roles: z
    .array(
      strictObject(
        {
          name: pattern(/^[\w+=,.@-]{1,64}$/, MSG.roleName),
          identities: z
            .array(z.string({ error: "must be the name of an identity or caller app" }), {
              error: "must be a list of identity or caller app names",
            })
            .min(1, { error: "must list at least one identity or caller app" }),
          managedPolicyArns: z
            .array(pattern(POLICY_ARN, MSG.policyArn), { error: "must be a list of policy ARNs" })
            .default([]),
          inlinePolicies: z
            .record(pattern(/^[\w+=,.@-]{1,128}$/, MSG.policyName), policyDocument, {
              error: "must be a map of policy names to IAM policy documents",
            })
            .default({}),
          permissionsBoundaryArn: pattern(POLICY_ARN, MSG.policyArn).optional(),
          maxSessionDurationSeconds: integer(3600, 43200).default(
            DEFAULT_MAX_SESSION_DURATION_SECONDS,
          ),
          path: pattern(/^\/(?:[!-~]*\/)?$/, MSG.path, 512).default("/"),
          tags: tags.default({}),
        },
        ["name", "identities"],
      ),
      { error: "must be a list of roles" },
    )
    .min(1, { error: "must define at least one role" }),
  oidcProvider: strictObject({
    existingArn: pattern(OIDC_PROVIDER_ARN, MSG.existingArn).optional(),
    additionalAudiences: z
      .array(pattern(/^[^\s*?]{1,255}$/, MSG.audience), { error: MSG.additionalAudiences })
      .max(MAX_CLIENT_IDS - 1, { error: MSG.additionalAudiences })
      .optional(),
    thumbprints: z
      .union(
        [
          z.enum(["auto", "none"]),
          z
            .array(pattern(/^[0-9a-fA-F]{40}$/, MSG.thumbprints))
            .min(1)
            .max(MAX_THUMBPRINTS)
            .transform((list) => list.map((t) => t.toLowerCase())),
        ],
        { error: MSG.thumbprints },
      )
      .optional(),
  }).default({}),
  trustPolicyMaxLength: integer(DEFAULT_TRUST_POLICY_MAX_LENGTH, MAX_TRUST_POLICY_LENGTH).default(
    DEFAULT_TRUST_POLICY_MAX_LENGTH,
  ),
  protect: z.boolean({ error: "must be true or false" }).default(false),
  tags: tags.default({}),
});

type ParsedConfig = z.output<typeof schema>;
export type RoleConfig = ParsedConfig["roles"][number];
export type IdentityConfig = ParsedConfig["identities"][number];
export type CallerAppConfig = ParsedConfig["callerApps"][number];
export type PolicyDocumentConfig = RoleConfig["inlinePolicies"][string];

/** The validated configuration, with defaults applied. */
export interface FederationConfig extends Omit<ParsedConfig, "application" | "oidcProvider"> {
  readonly application: ParsedConfig["application"] & { readonly displayName: string };
  readonly oidcProvider:
    | { readonly existingArn: string }
    | {
        readonly thumbprints: "auto" | "none" | readonly string[];
        readonly additionalAudiences: readonly string[];
      };
}

/** Keys whose values are strings; every other key holds JSON (numbers, booleans, objects, lists). */
const STRING_KEYS = new Set(["tenantId"]);

/** A configuration problem: where, what was given, and what is allowed. */
export interface ConfigIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Shown as `(got …)`: the bad value, or a description of it. */
  readonly got?: string;
}

/** Thrown for invalid configuration; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(["Invalid configuration:", ...issues.map((i) => `  ${formatIssue(i)}`)].join("\n"));
    this.name = "ConfigError";
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const got = issue.got === undefined ? "" : ` (got ${issue.got})`;
  return `${configKey(issue.path)}: ${issue.message}${got}`;
}

/** `entra-aws-federation:roles[0].identities[1]` */
export function configKey(path: readonly (string | number)[]): string {
  const [head, ...rest] = path;
  const tail = rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
  return `${CONFIG_NAMESPACE}:${String(head)}${tail}`;
}

function render(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Parses and validates the stack configuration: every `entra-aws-federation:*` entry of
 * `pulumi.runtime.allConfig()`. Throws a {@link ConfigError} naming every problem; never partially
 * succeeds, so no resource is registered from a bad configuration.
 */
export function parseConfig(
  allConfig: Readonly<Record<string, string>>,
  stackContext: { readonly project: string; readonly stack: string },
): FederationConfig {
  const raw: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(allConfig)) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    raw[key] = STRING_KEYS.has(key) ? value : parseJsonOrKeep(value);
  }

  const unknownKeys: ConfigIssue[] = Object.keys(raw)
    .filter((key) => !(key in schema.shape))
    .map((key) => ({
      path: [key],
      message: `unknown configuration key; allowed keys: ${Object.keys(schema.shape).join(", ")}`,
    }));
  const result = schema.safeParse(raw, { reportInput: true });
  const issues = [...unknownKeys, ...(result.success ? [] : result.error.issues.map(fromZodIssue))];
  if (!result.success || issues.length > 0) throw new ConfigError(issues);

  const parsed = result.data;
  const crossIssues = crossCheck(parsed);
  if (crossIssues.length > 0) throw new ConfigError(crossIssues);

  const { existingArn, thumbprints, additionalAudiences = [] } = parsed.oidcProvider;
  return {
    ...parsed,
    // Present even when unset, so an injected empty default and an absent key read the same.
    tenantId: parsed.tenantId,
    application: {
      ...parsed.application,
      displayName:
        parsed.application.displayName ?? `${stackContext.project}-${stackContext.stack}`,
    },
    oidcProvider:
      existingArn !== undefined
        ? { existingArn }
        : { thumbprints: thumbprints ?? "none", additionalAudiences },
  };
}

function fromZodIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  if (issue.code === "invalid_key") {
    // A map key (tag name, policy name) failed: report it against the map, with the key's rule.
    return {
      path: path.slice(0, -1),
      message: `has an invalid key: it ${issue.issues[0]?.message ?? "is not allowed"}`,
      got: render(path[path.length - 1]),
    };
  }
  if (issue.input === undefined) return { path, message: "is required" };
  return {
    path,
    message: issue.message,
    got: issue.code === "unrecognized_keys" ? undefined : render(issue.input),
  };
}

function parseJsonOrKeep(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * Allowed App ID URI forms under Entra's identifier URI policy that can be configured before the app
 * exists (forms containing the app id are generated, not configured): `api://<tenantId>/<name>`,
 * `api://<verified domain>/<name>`, `https://<verified domain>/<path>` and
 * `https://<host>.<verified domain>[/<path>]`. Whether a domain is verified only Entra can tell.
 */
function isAllowedIdentifierUriForm(uri: string): boolean {
  const match = /^(api|https):\/\/([^/?#\s]+)(\/[^?#\s]*)?$/.exec(uri);
  if (!match || uri.length > 255) return false;
  const [, scheme, host = "", path = ""] = match;
  const isDomain = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(
    host,
  );
  const hasName = path.length > 1;
  // Without a path, only a host below a verified domain is allowed: at least three labels.
  if (scheme === "https") return isDomain && (hasName || host.split(".").length >= 3);
  return (GUID.test(host) || isDomain) && hasName;
}

/** Settings that must name the tenant the program deploys to. */
function tenantIssues(
  uri: string | undefined,
  existingArn: string | undefined,
  tenantId: string,
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
  const arnTenant =
    existingArn === undefined ? undefined : OIDC_PROVIDER_ARN.exec(existingArn)?.[1];
  if (arnTenant !== undefined && arnTenant !== tenantId) {
    issues.push({
      path: ["oidcProvider", "existingArn"],
      message: `must be the provider for this stack's tenant (sts.windows.net/${tenantId}/)`,
      got: render(existingArn),
    });
  }
  return issues;
}

/** The validated configuration bound to the tenant the azuread provider is signed in to. */
export type ResolvedConfig = FederationConfig & { readonly tenantId: string };

/** Where the program deploys: the azuread provider's tenant and the aws provider's partition. */
export interface DeploymentTarget {
  readonly tenantId: string;
  readonly partition: string;
}

/**
 * Binds the configuration to where it deploys, before any resource is registered: a configured
 * `tenantId`, an `api://<tenantId>/…` identifier URI and an existing provider's ARN must all name
 * the signed-in tenant, where the apps and identities will be created, and every role's trust
 * policy must fit the IAM quota with the real partition in the provider ARN.
 */
export function resolveTarget(config: FederationConfig, target: DeploymentTarget): ResolvedConfig {
  const tenantId = target.tenantId.toLowerCase();
  if (config.tenantId !== undefined && config.tenantId !== tenantId) {
    throw new ConfigError([
      {
        path: ["tenantId"],
        message: `must be the tenant the azuread provider is signed in to, ${tenantId}: sign in to the configured tenant (az login --tenant ${config.tenantId}) or change tenantId`,
        got: render(config.tenantId),
      },
    ]);
  }
  const existingArn =
    "existingArn" in config.oidcProvider ? config.oidcProvider.existingArn : undefined;
  const issues = tenantIssues(config.application.identifierUri, existingArn, tenantId);
  const resolved = { ...config, tenantId };
  config.roles.forEach((_, r) => {
    const issue = trustPolicyLengthIssue(resolved, target.partition, r);
    if (issue) issues.push(issue);
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return resolved;
}

/** Placeholders of the exact lengths of values only known at deployment time. */
const PLACEHOLDER_GUID = "00000000-0000-0000-0000-000000000000";
const PLACEHOLDER_ACCOUNT = "000000000000";

function crossCheck(config: ParsedConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { tenantId } = config;

  const principalNames = new Set<string>();
  // Azure resource names are case-insensitive, so orders-api and Orders-API are one identity.
  const lowerNames = new Set<string>();
  const seenName = (kind: "identities" | "callerApps", index: number, name: string) => {
    if (lowerNames.has(name.toLowerCase())) {
      issues.push({
        path: [kind, index, "name"],
        message: "must be unique across identities and callerApps (ignoring case)",
        got: render(name),
      });
    }
    lowerNames.add(name.toLowerCase());
  };
  const principalIds = new Set<string>();
  config.identities.forEach((identity, i) => {
    seenName("identities", i, identity.name);
    principalNames.add(identity.name);
    if (identity.principalId === undefined) return;
    if (principalIds.has(identity.principalId)) {
      issues.push({
        path: ["identities", i, "principalId"],
        message: "must not repeat another identity's principalId (one assignment per principal)",
        got: render(identity.principalId),
      });
    }
    principalIds.add(identity.principalId);
  });
  config.callerApps.forEach((app, i) => {
    seenName("callerApps", i, app.name);
    principalNames.add(app.name);
  });

  const createsIdentities = config.identities.some((i) => i.principalId === undefined);
  if (createsIdentities && config.resourceGroup === undefined) {
    issues.push({
      path: ["resourceGroup"],
      message:
        "is required when identities lists a new managed identity (an entry without principalId)",
    });
  }
  if (config.resourceGroup?.create && config.resourceGroup.location === undefined) {
    issues.push({
      path: ["resourceGroup", "location"],
      message: "is required when resourceGroup.create is true",
    });
  }

  if (tenantId !== undefined) {
    issues.push(
      ...tenantIssues(config.application.identifierUri, config.oidcProvider.existingArn, tenantId),
    );
  }

  const { existingArn, thumbprints, additionalAudiences } = config.oidcProvider;
  for (const [key, value] of [
    ["thumbprints", thumbprints],
    ["additionalAudiences", additionalAudiences],
  ] as const) {
    if (existingArn !== undefined && value !== undefined) {
      issues.push({
        path: ["oidcProvider", key],
        message: "must not be set with existingArn: an existing provider is used as it is",
        got: render(value),
      });
    }
  }
  if (additionalAudiences !== undefined) {
    const ownAudience = config.application.identifierUri;
    additionalAudiences.forEach((audience, i) => {
      if (audience === ownAudience || additionalAudiences.indexOf(audience) !== i) {
        issues.push({
          path: ["oidcProvider", "additionalAudiences", i],
          message: "must not repeat an audience (this stack's own is always included)",
          got: render(audience),
        });
      }
    });
  }
  if (Array.isArray(thumbprints) && new Set(thumbprints).size !== thumbprints.length) {
    issues.push({
      path: ["oidcProvider", "thumbprints"],
      message: "must not repeat a thumbprint",
      got: render(thumbprints),
    });
  }

  const globalTagKeys = Object.keys(config.tags);
  const roleNames = new Set<string>();
  config.roles.forEach((role, r) => {
    // IAM role names are case-insensitive.
    if (roleNames.has(role.name.toLowerCase())) {
      issues.push({
        path: ["roles", r, "name"],
        message: "must be unique (ignoring case)",
        got: render(role.name),
      });
    }
    roleNames.add(role.name.toLowerCase());

    const listed = new Set<string>();
    role.identities.forEach((name, i) => {
      if (!principalNames.has(name)) {
        const known = [...principalNames].join(", ") || "none defined";
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

    const policyNames = role.managedPolicyArns.map((arn) => arn.slice(arn.lastIndexOf("/") + 1));
    policyNames.forEach((name, i) => {
      if (policyNames.indexOf(name) !== i) {
        issues.push({
          path: ["roles", r, "managedPolicyArns", i],
          message: `must not repeat a policy name (${name}) within a role`,
          got: render(role.managedPolicyArns[i]),
        });
      }
    });

    const inlineLength = Object.values(role.inlinePolicies).reduce(
      (sum, doc) => sum + policyLength(doc),
      0,
    );
    if (inlineLength > MAX_INLINE_POLICIES_LENGTH) {
      issues.push({
        path: ["roles", r, "inlinePolicies"],
        message: `must total at most ${MAX_INLINE_POLICIES_LENGTH} characters (IAM quota, whitespace not counted)`,
        got: `${inlineLength} characters`,
      });
    }

    const tagCount = new Set([...globalTagKeys, ...Object.keys(role.tags)]).size;
    if (tagCount > MAX_TAGS) {
      issues.push({
        path: ["roles", r, "tags"],
        message: `together with the stack tags must have at most ${MAX_TAGS} tags`,
        got: `${tagCount} tags`,
      });
    }
  });

  return issues;
}

/**
 * Checks a role's trust policy against the IAM quota before anything is deployed. The values only
 * known once deployed (account id, the app id in a default audience, a new identity's principal id)
 * have fixed lengths, so placeholders give the exact length; the role re-checks the real document.
 */
function trustPolicyLengthIssue(
  config: ResolvedConfig,
  partition: string,
  roleIndex: number,
): ConfigIssue | undefined {
  const role = config.roles[roleIndex]!;
  const principalIds = new Map(config.identities.map((i) => [i.name, i.principalId]));
  const subjects = role.identities.map((name) => principalIds.get(name) ?? PLACEHOLDER_GUID);
  const issuerUrl = entraIssuerUrl(config.tenantId);
  const base: Omit<TrustPolicyInput, "subjects"> = {
    issuerUrl,
    providerArn:
      "existingArn" in config.oidcProvider
        ? config.oidcProvider.existingArn
        : oidcProviderArn(partition, PLACEHOLDER_ACCOUNT, issuerUrl),
    audience: config.application.identifierUri ?? `api://${PLACEHOLDER_GUID}`,
  };
  const length = policyLength(buildTrustPolicy({ ...base, subjects }));
  const max = config.trustPolicyMaxLength;
  if (length <= max) return undefined;
  return {
    path: ["roles", roleIndex, "identities"],
    message: trustPolicyTooLongMessage(length, max, subjectsThatFit(base, max)),
    got: `${subjects.length} subjects`,
  };
}
