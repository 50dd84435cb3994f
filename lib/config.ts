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

/**
 * The one key no Pulumi value can carry: the SDK copies objects by assignment, which sets the
 * prototype instead of a property (output.js getPromisedObject, runtime/rpc.js serializeProperty),
 * so a `__proto__` tag or output key would vanish without a word.
 */
const PROTO_KEY = "__proto__";

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
  path: "must be / or 3-512 printable ASCII characters starting and ending with /",
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
  partition: (partition: string) => `must be an ARN in the aws provider's partition, ${partition}`,
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
export type PolicyDocumentConfig =
  RoleConfig["inlinePolicies"] extends ReadonlyMap<string, infer D> ? D : never;

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
  // Null-prototype: a key named __proto__ is then a key like any other, reported as unknown,
  // instead of replacing the prototype and smuggling in the keys of its value.
  const raw: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [fullKey, value] of Object.entries(allConfig)) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    raw[key] = STRING_KEYS.has(key) ? value : parseJsonOrKeep(value);
  }

  const unknownKeys: ConfigIssue[] = Object.keys(raw)
    .filter((key) => !Object.hasOwn(schema.shape, key))
    .map((key) => ({
      path: [key],
      message: `unknown configuration key; allowed keys: ${Object.keys(schema.shape).join(", ")}`,
    }));
  const result = schema.safeParse(raw, { reportInput: true });
  // The cross-checks run on whatever parsed, so that one run lists every problem.
  const issues = [
    ...unknownKeys,
    ...(result.success
      ? crossCheck(result.data, new Set(Object.keys(schema.shape)))
      : [...result.error.issues.map(fromZodIssue), ...crossCheck(...salvageConfig(raw))]),
  ];
  if (!result.success || issues.length > 0) throw new ConfigError(issues);

  const parsed = result.data;
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

/** What parsed of a value: all of it, or else the elements and fields that did, recursively. */
type Salvaged<T> =
  T extends ReadonlyMap<unknown, unknown>
    ? T
    : T extends readonly (infer E)[]
      ? (Salvaged<E> | undefined)[]
      : T extends object
        ? { readonly [K in keyof T]?: Salvaged<T[K]> }
        : T;

function salvage(schema: z.core.$ZodType, value: unknown): unknown {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) {
    inner = inner.unwrap();
  }
  const { element } = inner instanceof z.ZodArray ? inner : { element: undefined };
  if (element && Array.isArray(value)) return value.map((item) => salvage(element, item));
  if (inner instanceof z.ZodObject && typeof value === "object" && value !== null) {
    const fields = Object.entries<z.core.$ZodType>(inner.shape);
    const record = value as Record<string, unknown>;
    return Object.fromEntries(fields.map(([key, field]) => [key, salvage(field, record[key])]));
  }
  return undefined;
}

/** What parsed of an invalid configuration, and which top-level keys parsed whole. */
function salvageConfig(
  raw: Record<string, unknown>,
): [config: Salvaged<ParsedConfig>, valid: ReadonlySet<string>] {
  const valid = Object.entries(schema.shape)
    .filter(([key, field]) => field.safeParse(raw[key]).success)
    .map(([key]) => key);
  return [salvage(schema, raw) as Salvaged<ParsedConfig>, new Set(valid)];
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
 * the signed-in tenant, where the apps and identities will be created; an existing provider's,
 * managed policies' and permissions boundaries' ARNs must be in the aws provider's partition, where
 * the roles are created (AWS managed policies too: arn:aws-us-gov:iam::aws:policy/…); and every
 * role's trust policy must fit the IAM quota with the real partition in the provider ARN.
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
  const partitionIssue = (path: ConfigIssue["path"], arn: string | undefined) => {
    if (arn !== undefined && arn.split(":")[1] !== target.partition) {
      issues.push({ path, message: MSG.partition(target.partition), got: render(arn) });
    }
  };
  partitionIssue(["oidcProvider", "existingArn"], existingArn);
  const resolved = { ...config, tenantId };
  config.roles.forEach((role, r) => {
    role.managedPolicyArns.forEach((arn, i) =>
      partitionIssue(["roles", r, "managedPolicyArns", i], arn),
    );
    partitionIssue(["roles", r, "permissionsBoundaryArn"], role.permissionsBoundaryArn);
    const issue = trustPolicyLengthIssue(resolved, target.partition, r);
    if (issue) issues.push(issue);
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return resolved;
}

/** Placeholders of the exact lengths of values only known at deployment time. */
const PLACEHOLDER_GUID = "00000000-0000-0000-0000-000000000000";
const PLACEHOLDER_ACCOUNT = "000000000000";

/**
 * Checks that relate values to each other, on whatever parsed (`valid` lists the top-level keys that
 * parsed whole). A check that could misread a value that did not parse, such as a list of names
 * with an invalid entry, waits until that value is fixed; every other check runs.
 */
function crossCheck(config: Salvaged<ParsedConfig>, valid: ReadonlySet<string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { tenantId } = config;
  const identities = config.identities ?? [];
  const callerApps = config.callerApps ?? [];

  const principalNames = new Set<string>();
  // Azure resource names are case-insensitive, so orders-api and Orders-API are one identity.
  const lowerNames = new Set<string>();
  const seenName = (kind: "identities" | "callerApps", index: number, name: string | undefined) => {
    if (name === undefined) return;
    if (lowerNames.has(name.toLowerCase())) {
      issues.push({
        path: [kind, index, "name"],
        message: "must be unique across identities and callerApps (ignoring case)",
        got: render(name),
      });
    }
    lowerNames.add(name.toLowerCase());
    principalNames.add(name);
  };
  const principalIds = new Set<string>();
  identities.forEach((identity, i) => {
    seenName("identities", i, identity?.name);
    const principalId = identity?.principalId;
    if (principalId === undefined) return;
    if (principalIds.has(principalId)) {
      issues.push({
        path: ["identities", i, "principalId"],
        message: "must not repeat another identity's principalId (one assignment per principal)",
        got: render(principalId),
      });
    }
    principalIds.add(principalId);
  });
  callerApps.forEach((app, i) => seenName("callerApps", i, app?.name));

  const createsIdentities = identities.some((i) => i?.principalId === undefined);
  if (
    valid.has("identities") &&
    valid.has("resourceGroup") &&
    createsIdentities &&
    config.resourceGroup === undefined
  ) {
    issues.push({
      path: ["resourceGroup"],
      message:
        "is required when identities lists a new managed identity (an entry without principalId)",
    });
  }
  if (
    valid.has("resourceGroup") &&
    config.resourceGroup?.create &&
    config.resourceGroup.location === undefined
  ) {
    issues.push({
      path: ["resourceGroup", "location"],
      message: "is required when resourceGroup.create is true",
    });
  }

  const ownAudience = config.application?.identifierUri;
  const { existingArn, thumbprints, additionalAudiences } = config.oidcProvider ?? {};
  if (tenantId !== undefined) issues.push(...tenantIssues(ownAudience, existingArn, tenantId));

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
  additionalAudiences?.forEach((audience, i) => {
    if (audience === undefined) return;
    if (audience === ownAudience || additionalAudiences.indexOf(audience) !== i) {
      issues.push({
        path: ["oidcProvider", "additionalAudiences", i],
        message: "must not repeat an audience (this stack's own is always included)",
        got: render(audience),
      });
    }
  });
  if (Array.isArray(thumbprints) && new Set(thumbprints).size !== thumbprints.length) {
    issues.push({
      path: ["oidcProvider", "thumbprints"],
      message: "must not repeat a thumbprint",
      got: render(thumbprints),
    });
  }

  // With an entry that did not parse, a name missing from this list may only be misspelt there.
  const namesKnown = valid.has("identities") && valid.has("callerApps");
  const stackTags = config.tags ?? {};
  const roleNames = new Set<string>();
  config.roles?.forEach((role, r) => {
    if (role === undefined) return;
    // IAM role names are case-insensitive.
    if (role.name !== undefined) {
      if (roleNames.has(role.name.toLowerCase())) {
        issues.push({
          path: ["roles", r, "name"],
          message: "must be unique (ignoring case)",
          got: render(role.name),
        });
      }
      roleNames.add(role.name.toLowerCase());
    }

    const listed = new Set<string>();
    role.identities?.forEach((name, i) => {
      if (name === undefined) return;
      if (namesKnown && !principalNames.has(name)) {
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

    const arns = role.managedPolicyArns ?? [];
    const policyNames = arns.map((arn) => arn && policyNameOf(arn));
    policyNames.forEach((name, i) => {
      if (name !== undefined && policyNames.indexOf(name) !== i) {
        issues.push({
          path: ["roles", r, "managedPolicyArns", i],
          message: `must not repeat a policy name (${name}) within a role`,
          got: render(arns[i]),
        });
      }
    });

    const inlineLength = [...(role.inlinePolicies?.values() ?? [])].reduce(
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

    const roleTags = Object.keys(role.tags ?? {});
    // A role tag overrides the stack tag of the same name; one in another case would be a second
    // tag of the same name, so the role must spell it as the stack does.
    for (const key of roleTags) {
      const stackKey = Object.keys(stackTags).find(
        (k) => k !== key && k.toLowerCase() === key.toLowerCase(),
      );
      if (stackKey !== undefined) {
        issues.push({
          path: ["roles", r, "tags"],
          message: `must not differ only in case from a stack tag's name (${stackKey}): spell it as the stack tags do to override that tag`,
          got: render(key),
        });
      }
    }
    const tagCount = new Set([...Object.keys(stackTags), ...roleTags]).size;
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

/** The name of a managed policy: the last part of its ARN. */
export function policyNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
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
