/**
 * The stack configuration: read and validate it (`parseConfig`), then bind it to where it deploys
 * (`resolveTarget`). The rooms: schema.ts (shape and per-value messages), issues.ts (the error
 * model), parse.ts (decoding the engine's strings), rules.ts (checks across values), target.ts
 * (checks against the signed-in tenant and the aws provider's partition, and the quota maths).
 */
export { ConfigError, configKey, formatIssue, type ConfigIssue } from "./issues";
export { parseConfig } from "./parse";
export { policyNameOf } from "./rules";
export {
  CONFIG_NAMESPACE,
  DEFAULT_ACCOUNT_NAME,
  DEFAULT_APP_ROLE_VALUE,
  DEFAULT_MAX_SESSION_DURATION_SECONDS,
  DEFAULT_SECRET_EXPIRES_IN_DAYS,
  DEFAULT_TRUST_POLICY_MAX_LENGTH,
  MAX_CLIENT_IDS,
  MAX_INLINE_POLICIES_LENGTH,
  MAX_TAGS,
  type AccountConfig,
  type CallerAppConfig,
  type FederationConfig,
  type IdentityConfig,
  type PolicyDocumentConfig,
  type RoleConfig,
} from "./schema";
export {
  resolveTarget,
  type AccountTarget,
  type DeploymentTarget,
  type ResolvedConfig,
} from "./target";
