/**
 * The stack configuration: read and validate it (`parseConfig`), then bind it to where it deploys
 * (`resolveTarget`). The rooms: schema.ts (shape and per-value messages), issues.ts (the error
 * model), parse.ts (decoding the engine's strings), rules.ts (checks across values), target.ts
 * (checks against the signed-in tenant and the aws provider's partition, and the quota maths).
 */
export { ConfigError, type ConfigIssue } from "./issues";
export { parseConfig } from "./parse";
export { policyNameOf } from "./rules";
export {
  CONFIG_NAMESPACE,
  DEFAULT_ACCOUNT_NAME,
  DEFAULT_TRUST_POLICY_MAX_LENGTH,
  type AccountConfig,
  type FederationConfig,
} from "./schema";
export {
  resolveTarget,
  type AccountTarget,
  type DeploymentTarget,
  type ResolvedConfig,
} from "./target";
