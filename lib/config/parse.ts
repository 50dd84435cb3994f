import { z } from "zod";
import { entraCloud } from "../entra";
import { ConfigError, render, type ConfigIssue } from "./issues";
import { crossCheck } from "./rules";
import {
  cloudField,
  configSchema,
  CONFIG_NAMESPACE,
  type ConfigSchema,
  type FederationConfig,
  type OidcProviderConfig,
  type ParsedOidcProvider,
  type PartialConfig,
} from "./schema";

/** Keys whose values are strings; every other key holds JSON (numbers, booleans, objects, lists). */
// Account ids are strings: a 12-digit id read as a number would lose its leading zeros.
const STRING_KEYS = new Set(["tenantId", "cloud", "accountId", "azureSubscriptionId"]);

/**
 * Parses and validates the stack configuration: every `entra-aws-federation:*` entry of
 * `pulumi.runtime.allConfig()`. Throws a {@link ConfigError} naming every problem; never partially
 * succeeds, so no resource is registered from a bad configuration.
 */
export function parseConfig(
  allConfig: Readonly<Record<string, string>>,
  stackContext: { readonly project: string; readonly stack: string },
): FederationConfig {
  const raw = decode(allConfig);
  const cloud = cloudField.safeParse(raw.cloud);
  const schema = configSchema(cloud.success ? entraCloud(cloud.data) : undefined);

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
      : [...result.error.issues.map(fromZodIssue), ...crossCheck(...salvageConfig(schema, raw))]),
  ];
  issues.push(...sharedProviderCredentialIssues(allConfig, raw));
  if (!result.success || issues.length > 0) throw new ConfigError(issues);

  const parsed = result.data;
  return {
    ...parsed,
    // Present even when unset, so an injected empty default and an absent key read the same.
    tenantId: parsed.tenantId,
    application: {
      ...parsed.application,
      displayName:
        parsed.application.displayName ?? `${stackContext.project}-${stackContext.stack}`,
    },
    oidcProvider: oidcProviderConfig(parsed.oidcProvider),
    accounts: new Map(
      [...(parsed.accounts ?? [])].map(([name, account]) => [
        name,
        { ...account, oidcProvider: oidcProviderConfig(account.oidcProvider) },
      ]),
    ),
  };
}

/** The aws provider's stack settings that choose other credentials than the environment's. */
const AWS_CREDENTIAL_KEYS = [
  "aws:profile",
  "aws:assumeRole",
  "aws:assumeRoles",
  "aws:accessKey",
  "aws:secretKey",
  "aws:token",
  "aws:sharedCredentialsFiles",
];

/**
 * The default account's shared provider is a dynamic resource: it runs in the engine with the
 * environment's AWS credentials and cannot read the aws provider's stack settings. With such a
 * setting the two would reach different accounts, which the shared provider would only find out
 * after the Entra resources exist, so refuse the combination up front.
 */
function sharedProviderCredentialIssues(
  allConfig: Readonly<Record<string, string>>,
  raw: Record<string, unknown>,
): ConfigIssue[] {
  const provider = raw.oidcProvider;
  const shared =
    typeof provider === "object" && provider !== null && Object.hasOwn(provider, "shared")
      ? (provider as { shared: unknown }).shared
      : undefined;
  const keys = AWS_CREDENTIAL_KEYS.filter((key) => Object.hasOwn(allConfig, key));
  if (shared !== true || keys.length === 0) return [];
  return [
    {
      path: ["oidcProvider", "shared"],
      message: `must not be true while the stack configuration sets ${keys.join(", ")}: the shared OIDC provider uses the environment's AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, …), not the aws provider's stack settings; set them in the environment instead, or use a provider the stack creates`,
      got: "true",
    },
  ];
}

/** Which of the three kinds of provider a valid oidcProvider value is, with its defaults. */
function oidcProviderConfig(provider: ParsedOidcProvider): OidcProviderConfig {
  const { existingArn, shared, thumbprints = "none", additionalAudiences = [] } = provider;
  if (existingArn !== undefined) return { existingArn };
  if (shared === true) return { shared, thumbprints };
  return { thumbprints, additionalAudiences };
}

/** This program's entries, by key: strings as they are, everything else as JSON. */
function decode(allConfig: Readonly<Record<string, string>>): Record<string, unknown> {
  // Null-prototype: a key named __proto__ is then a key like any other, reported as unknown,
  // instead of replacing the prototype and smuggling in the keys of its value.
  const raw: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [fullKey, value] of Object.entries(allConfig)) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    raw[key] = STRING_KEYS.has(key) ? value : parseJsonOrKeep(value);
  }
  return raw;
}

function parseJsonOrKeep(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

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
  schema: ConfigSchema,
  raw: Record<string, unknown>,
): [config: PartialConfig, valid: ReadonlySet<string>] {
  const valid = Object.entries(schema.shape)
    .filter(([key, field]) => field.safeParse(raw[key]).success)
    .map(([key]) => key);
  return [salvage(schema, raw) as PartialConfig, new Set(valid)];
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
