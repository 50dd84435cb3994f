import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE } from "../lib/config";

const ROOT = path.join(__dirname, "..");
const NS = CONFIG_NAMESPACE;

export type StackConfig = Record<string, unknown>;

/** The example environment, exactly as committed. */
export function devStack(): StackConfig {
  const file = parseYaml(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
    config: StackConfig;
  };
  return file.config;
}

/**
 * The dev stack's settings with `identities` created identities and `roles` roles; role r trusts
 * every identity whose index is r modulo min(identities, roles), so each identity is in a role and
 * each role trusts at least one identity (10 per role at 200 × 20, well inside the trust policy quota).
 */
export function scaledStack(identities: number, roles: number): StackConfig {
  const dev = devStack();
  const names = Array.from({ length: identities }, (_, i) => `workload-${i}`);
  const stride = Math.min(identities, roles);
  return {
    "azure-native:location": dev["azure-native:location"],
    "aws:region": dev["aws:region"],
    [`${NS}:resourceGroup`]: dev[`${NS}:resourceGroup`],
    [`${NS}:tags`]: dev[`${NS}:tags`],
    [`${NS}:oidcProvider`]: dev[`${NS}:oidcProvider`],
    [`${NS}:identities`]: names.map((name) => ({ name })),
    [`${NS}:roles`]: Array.from({ length: roles }, (_, r) => ({
      name: `role-${r}`,
      identities: names.filter((_, i) => i % stride === r % stride),
      managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    })),
  };
}

/** The configuration as the language host hands it to the program: PULUMI_CONFIG, every value a string. */
export function pulumiConfigEnv(config: StackConfig): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
  );
}
