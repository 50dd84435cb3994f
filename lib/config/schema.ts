/*
 * The stack configuration's shape and the messages for values that are wrong on their own. What
 * relates one value to another is in rules.ts; what relates it to the deploy target, in target.ts.
 */

import type * as aws from "@pulumi/aws";
import { z } from "zod";
import {
  DEFAULT_ENTRA_CLOUD,
  ENTRA_CLOUD_NAMES,
  isAllowedIdentifierUriForm,
  unsupportedCloudReason,
  v1IssuerPattern,
  type EntraCloud,
  type EntraCloudName,
} from "../entra";
import { ACCOUNT_ID, PARTITION, REGION, ROLE_ARN } from "../awsNames";
import { MAX_THUMBPRINTS } from "../thumbprints";
import { issuerHostPath, MAX_CLIENT_IDS, MAX_TRUST_POLICY_LENGTH } from "../trustPolicy";

/** Project name and config namespace: `entra-aws-federation:<key>`. */
export const CONFIG_NAMESPACE = "entra-aws-federation";

// Defaults shared with Pulumi.yaml's `config:` block (a test keeps the two equal).
export const DEFAULT_TRUST_POLICY_MAX_LENGTH = 2048;
export const DEFAULT_APP_ROLE_VALUE = "AssumeRoleWithWebIdentity";
export const DEFAULT_SECRET_EXPIRES_IN_DAYS = 180;
export const DEFAULT_MAX_SESSION_DURATION_SECONDS = 3600;
/** IAM: the aggregate size of a role's inline policies, whitespace not counted. */
export const MAX_INLINE_POLICIES_LENGTH = 10240;
/** IAM and Azure Resource Manager both allow 50 tags per resource. */
export const MAX_TAGS = 50;

/**
 * The one key no Pulumi value can carry: the SDK copies objects by assignment, which sets the
 * prototype instead of a property (output.js getPromisedObject, runtime/rpc.js serializeProperty),
 * so a `__proto__` tag or output key would vanish without a word.
 */
const PROTO_KEY = "__proto__";

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const WILDCARD = /[*?]/;
const POLICY_ARN = new RegExp(
  `^arn:${PARTITION}:iam::(?:aws|\\d{12}):policy/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,128}$`,
);
/** The name the oidcProviders output gives the default account, so no account may take it. */
export const DEFAULT_ACCOUNT_NAME = "default";

/** ARN of the IAM OIDC provider for a cloud's v1 issuer; the tenant id is its first group. */
export function oidcProviderArnPattern(cloud: EntraCloud): RegExp {
  const host = cloud.issuerHost.replace(/\./g, "\\.");
  const tenant = "([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})";
  return new RegExp(`^arn:${PARTITION}:iam::\\d{12}:oidc-provider/${host}/${tenant}/$`);
}

/** The clouds `cloud` may name: every one the Entra module has confirmed facts for. */
const SUPPORTED_CLOUDS = ENTRA_CLOUD_NAMES.filter(
  (name) => unsupportedCloudReason(name) === undefined,
);

const MSG = {
  guid: "must be a GUID such as 00000000-0000-0000-0000-000000000000",
  cloud: `must be one of ${SUPPORTED_CLOUDS.join(", ")}`,
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
  path: "must be / or 3-512 printable ASCII characters starting and ending with /",
  accountId:
    'must be a 12-digit AWS account id as a string, such as "111122223333" (quote it in YAML: a number loses leading zeros)',
  accountName: `must be 1-64 characters: letters, digits, hyphens and underscores, starting with a letter or digit, and not ${DEFAULT_ACCOUNT_NAME} (the oidcProviders output's name for the default account)`,
  region: "must be an AWS region name such as eu-west-1",
  assumeRoleArn: "must be an IAM role ARN such as arn:aws:iam::111122223333:role/deployer",
  existingArn: (cloud: EntraCloud) =>
    `must be the ARN of the IAM OIDC provider for Entra v1 tokens: arn:<partition>:iam::<12-digit account>:oidc-provider/${issuerHostPath(v1IssuerPattern(cloud))} (tenant id in lower case, as in the tokens' issuer, and the trailing slash)`,
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
  policyVariable:
    "must not contain ${: IAM would read it as a policy variable in the trust policy's aud condition, and no token could assume the roles",
  scopeSuffix:
    "must not end in /.default: that is the token scope, which the program and the credentials helper derive from the App ID URI",
  protoRole:
    "must not be __proto__: the roles output is keyed by role name, and Pulumi drops a __proto__ key",
  protoTag:
    "must not be __proto__: Pulumi drops a __proto__ key from resource inputs, so the tag would never be set",
  protoPolicy:
    "must not have a key __proto__: zod and Pulumi drop that key, so IAM would get another policy than the one written",
  tagCase:
    "must not have tag names that differ only in case (Azure compares tag names ignoring case, and role tags merge with the stack tags)",
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

const accountId = z.string({ error: MSG.accountId }).regex(ACCOUNT_ID, { error: MSG.accountId });

const azureName = pattern(/^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/, MSG.azureName);

/** A cloud the Entra module refuses gets its reason; any other value, the list of clouds. */
export const cloudField = z
  .enum(SUPPORTED_CLOUDS, {
    error: (issue) => {
      const reason = ENTRA_CLOUD_NAMES.includes(issue.input as EntraCloudName)
        ? unsupportedCloudReason(issue.input as EntraCloudName)
        : undefined;
      return reason === undefined ? MSG.cloud : `${reason}; ${MSG.cloud}`;
    },
  })
  .default(DEFAULT_ENTRA_CLOUD);

/**
 * Passes a nested parse's issues on as they are, at their path in this value. (ctx.addIssue would
 * fill in a missing `input` with this whole value, and a missing value would no longer read as
 * "is required".)
 */
function relay(
  ctx: z.core.ParsePayload,
  issues: readonly z.core.$ZodIssue[],
  at: (path: PropertyKey[]) => PropertyKey[],
): void {
  for (const issue of issues)
    ctx.issues.push({ ...issue, path: at(issue.path) } as z.core.$ZodRawIssue);
}

/**
 * A map of names to values that sees every own key of the input: z.record skips a `__proto__` key
 * without an issue (zod v4 core/schemas.js, $ZodRecord), which would drop that entry silently.
 * Issues carry the record's shapes (invalid_key, value issues under the key) so they read the same.
 */
function nameMap<V extends z.ZodType>(key: z.ZodType<string>, value: V, error: string) {
  return z.unknown().transform((input, ctx) => {
    const entries = new Map<string, z.output<V>>();
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      ctx.issues.push({ code: "custom", message: error, input });
      return z.NEVER;
    }
    for (const [name, item] of Object.entries(input)) {
      const parsedKey = key.safeParse(name);
      if (!parsedKey.success) {
        ctx.issues.push({
          code: "invalid_key",
          origin: "record",
          issues: parsedKey.error.issues,
          input: name,
          path: [name],
        });
        continue;
      }
      const parsed = value.safeParse(item, { reportInput: true });
      if (parsed.success) entries.set(name, parsed.data);
      else relay(ctx, parsed.error.issues, (path) => [name, ...path]);
    }
    return entries;
  });
}

/** The first two names that differ only in case, if any. */
function caseClash(names: Iterable<string>): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const name of names) {
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) return [earlier, name];
    seen.set(name.toLowerCase(), name);
  }
  return undefined;
}

const tagKey = pattern(/^(?!aws:)[\p{L}\p{Z}\p{N}_.:=+\-@]{1,128}$/iu, MSG.tagKey).refine(
  (key) => key !== PROTO_KEY,
  { error: MSG.protoTag },
);

const tags = nameMap(
  tagKey,
  pattern(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u, MSG.tagValue),
  "must be a map of tag names to string values",
)
  .transform((map) => Object.fromEntries(map))
  .refine((t) => Object.keys(t).length <= MAX_TAGS, {
    error: `must have at most ${MAX_TAGS} tags`,
  })
  .superRefine((t, ctx) => {
    const clash = caseClash(Object.keys(t));
    if (clash) ctx.addIssue({ code: "custom", message: MSG.tagCase, input: clash });
  });

const policyStatement = z
  .looseObject(
    { Effect: z.enum(["Allow", "Deny"], { error: 'must be "Allow" or "Deny"' }) },
    { error: "must be a policy statement object" },
  )
  // Statement contents beyond Effect are IAM's to check (MalformedPolicyDocument at deployment).
  .transform((s) => s as aws.iam.PolicyStatement);

/** Where a `__proto__` key sits in a JSON value: the path of the object that has it. */
function protoKeyPath(value: unknown, path: PropertyKey[] = []): PropertyKey[] | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (!Array.isArray(value) && Object.hasOwn(value, PROTO_KEY)) return path;
  for (const [key, item] of Object.entries(value)) {
    const found = protoKeyPath(item, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return undefined;
}

const statementList = z
  .array(policyStatement, { error: "must be a policy statement or a list of policy statements" })
  .min(1, { error: "must have at least one statement" });

/**
 * IAM takes one statement object or a list of them. A single statement becomes a list of one: the
 * SDK's PolicyDocument type wants a list, and the length check then counts the document as sent.
 */
const statements = z.unknown().transform((input, ctx) => {
  const proto = protoKeyPath(input);
  if (proto !== undefined) {
    ctx.issues.push({ code: "custom", message: MSG.protoPolicy, input: PROTO_KEY, path: proto });
    return z.NEVER;
  }
  const single = typeof input === "object" && input !== null && !Array.isArray(input);
  const parsed = statementList.safeParse(single ? [input] : input, { reportInput: true });
  if (parsed.success) return parsed.data;
  // A single statement's problems are reported where it was written, not at [0].
  relay(ctx, parsed.error.issues, (path) => (single ? path.slice(1) : path));
  return z.NEVER;
});

const policyDocument = strictObject(
  {
    Version: z.literal("2012-10-17", { error: 'must be "2012-10-17"' }),
    Id: z.string({ error: "must be a string" }).optional(),
    Statement: statements,
  },
  ["Version", "Statement"],
);

const identifierUri = z
  .string({ error: MSG.identifierUri })
  .refine((uri) => !WILDCARD.test(uri), { error: "must not contain wildcards", abort: true })
  // The trust policy puts the URI in its aud condition, where IAM reads ${...} as a policy
  // variable: no token's aud could ever match it.
  .refine((uri) => !uri.includes("${"), { error: MSG.policyVariable, abort: true })
  // The token scope is <URI>/.default, which the program and the credentials helper append.
  .refine((uri) => !uri.endsWith("/.default"), { error: MSG.scopeSuffix, abort: true })
  .refine(isAllowedIdentifierUriForm, { error: MSG.identifierUri });

/**
 * An account's IAM OIDC provider for the issuer: created with this stack's audience (and other
 * stacks' in additionalAudiences), an existing one used as it is, or `shared`, which adds and
 * removes only this stack's audience (components/sharedOidcProvider.ts).
 */
function oidcProviderSchema(cloud: EntraCloud | undefined) {
  return strictObject({
    existingArn: (cloud === undefined
      ? z.string({ error: "must be a string" })
      : pattern(oidcProviderArnPattern(cloud), MSG.existingArn(cloud))
    ).optional(),
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
    shared: z.boolean({ error: "must be true or false" }).optional(),
  });
}

/**
 * The configuration's schema. An existing provider's ARN names the cloud's issuer host, so the
 * schema is built for the configured cloud; while `cloud` itself is invalid (undefined here), that
 * ARN is only taken as a string, and checked once the cloud is fixed.
 */
export function configSchema(cloud: EntraCloud | undefined) {
  return z.object({
    tenantId: z
      .union([z.literal(""), guid], { error: `${MSG.guid} (or empty for the signed-in tenant)` })
      .optional()
      .transform((id) => (id === "" ? undefined : id)),
    cloud: cloudField,
    azureSubscriptionId: guid.optional(),
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
            name: pattern(/^[\w+=,.@-]{1,64}$/, MSG.roleName).refine((name) => name !== PROTO_KEY, {
              error: MSG.protoRole,
            }),
            identities: z
              .array(z.string({ error: "must be the name of an identity or caller app" }), {
                error: "must be a list of identity or caller app names",
              })
              .min(1, { error: "must list at least one identity or caller app" }),
            managedPolicyArns: z
              .array(pattern(POLICY_ARN, MSG.policyArn), { error: "must be a list of policy ARNs" })
              .default([]),
            // A Map, so that every name IAM allows, __proto__ too, reaches IAM.
            inlinePolicies: nameMap(
              pattern(/^[\w+=,.@-]{1,128}$/, MSG.policyName),
              policyDocument,
              "must be a map of policy names to IAM policy documents",
            ).default(() => new Map()),
            permissionsBoundaryArn: pattern(POLICY_ARN, MSG.policyArn).optional(),
            maxSessionDurationSeconds: integer(3600, 43200).default(
              DEFAULT_MAX_SESSION_DURATION_SECONDS,
            ),
            // IAM: (\u002F)|(\u002F[\u0021-\u007E]+\u002F), so not //.
            path: pattern(/^\/(?:[!-~]+\/)?$/, MSG.path, 512).default("/"),
            tags: tags.default({}),
            account: z.string({ error: "must be the name of an entry of accounts" }).optional(),
          },
          ["name", "identities"],
        ),
        { error: "must be a list of roles" },
      )
      .min(1, { error: "must define at least one role" }),
    oidcProvider: oidcProviderSchema(cloud).default({}),
    accountId: accountId.optional(),
    accounts: nameMap(
      pattern(/^(?!default$)[A-Za-z0-9][\w-]{0,63}$/, MSG.accountName),
      strictObject(
        {
          accountId,
          region: pattern(REGION, MSG.region).optional(),
          assumeRoleArn: pattern(ROLE_ARN, MSG.assumeRoleArn).optional(),
          oidcProvider: oidcProviderSchema(cloud).default({}),
        },
        ["accountId"],
      ),
      "must be a map of account names to { accountId, region?, assumeRoleArn?, oidcProvider? }",
    ).optional(),
    trustPolicyMaxLength: integer(DEFAULT_TRUST_POLICY_MAX_LENGTH, MAX_TRUST_POLICY_LENGTH).default(
      DEFAULT_TRUST_POLICY_MAX_LENGTH,
    ),
    protect: z.boolean({ error: "must be true or false" }).default(false),
    tags: tags.default({}),
  });
}

export type ConfigSchema = ReturnType<typeof configSchema>;
export type ParsedConfig = z.output<ConfigSchema>;
export type RoleConfig = ParsedConfig["roles"][number];
export type IdentityConfig = ParsedConfig["identities"][number];
export type CallerAppConfig = ParsedConfig["callerApps"][number];
export type PolicyDocumentConfig =
  RoleConfig["inlinePolicies"] extends ReadonlyMap<string, infer D> ? D : never;

export type ParsedOidcProvider = ParsedConfig["oidcProvider"];
type ParsedAccount =
  NonNullable<ParsedConfig["accounts"]> extends ReadonlyMap<string, infer A> ? A : never;

/**
 * An account's OIDC provider, as configured: an existing one, one shared with other stacks, or
 * one this stack creates with its whole client ID list.
 */
export type OidcProviderConfig =
  | { readonly existingArn: string }
  | { readonly shared: true; readonly thumbprints: "auto" | "none" | readonly string[] }
  | {
      readonly thumbprints: "auto" | "none" | readonly string[];
      readonly additionalAudiences: readonly string[];
    };

/** An AWS account the stack deploys roles to, besides the default account. */
export interface AccountConfig extends Omit<ParsedAccount, "oidcProvider"> {
  readonly oidcProvider: OidcProviderConfig;
}

/** The validated configuration, with defaults applied. */
export interface FederationConfig extends Omit<
  ParsedConfig,
  "application" | "oidcProvider" | "accounts"
> {
  readonly application: ParsedConfig["application"] & { readonly displayName: string };
  /** The default account's provider (the ambient aws provider's account). */
  readonly oidcProvider: OidcProviderConfig;
  /** Named accounts, each reached through its own aws.Provider; empty without `accounts`. */
  readonly accounts: ReadonlyMap<string, AccountConfig>;
}

/** What parsed of a value: all of it, or else the elements and fields that did, recursively. */
export type Salvaged<T> =
  T extends ReadonlyMap<unknown, unknown>
    ? T
    : T extends readonly (infer E)[]
      ? (Salvaged<E> | undefined)[]
      : T extends object
        ? { readonly [K in keyof T]?: Salvaged<T[K]> }
        : T;

/** What parsed of a configuration that may be invalid: what the cross-checks see. */
export type PartialConfig = Salvaged<ParsedConfig>;
