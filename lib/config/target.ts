import {
  DEFAULT_ENTRA_CLOUD,
  defaultIdentifierUri,
  entraCloud,
  v1IssuerUrl,
  type EntraCloud,
} from "../entra";
import {
  buildTrustPolicy,
  oidcProviderArn,
  policyLength,
  subjectsThatFit,
  trustPolicyTooLongMessage,
  type TrustPolicyInput,
} from "../trustPolicy";
import { ConfigError, render, type ConfigIssue } from "./issues";
import { tenantIssues } from "./rules";
import type { FederationConfig } from "./schema";

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
 * the signed-in tenant, where the apps and identities will be created; the cloud must pair with
 * the aws provider's partition; an existing provider's, managed policies' and permissions
 * boundaries' ARNs must be in that partition, where the roles are created (AWS managed policies
 * too: arn:aws-us-gov:iam::aws:policy/…); and every role's trust policy must fit the IAM quota
 * with the real partition in the provider ARN.
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
  const cloud = entraCloud(config.cloud);
  const existingArn =
    "existingArn" in config.oidcProvider ? config.oidcProvider.existingArn : undefined;
  const issues = [
    ...cloudPartitionIssues(cloud, target.partition),
    ...tenantIssues(config.application.identifierUri, existingArn, tenantId, config.cloud),
  ];
  const partitionIssue = (path: ConfigIssue["path"], arn: string | undefined) => {
    if (arn !== undefined && arn.split(":")[1] !== target.partition) {
      issues.push({
        path,
        message: `must be an ARN in the aws provider's partition, ${target.partition}`,
        got: render(arn),
      });
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

/**
 * Which Azure cloud may federate into which AWS partition. AzurePublic tenants deployed into every
 * partition before `cloud` existed, and still may (STS in aws-us-gov and aws-cn reads a public
 * issuer like any other). Any other cloud pairs only with its own partition (AzureChina: aws-cn):
 * no public AWS or Microsoft source confirms that STS in another partition reaches its issuer.
 */
function cloudPartitionIssues(cloud: EntraCloud, partition: string): ConfigIssue[] {
  if (cloud.name === DEFAULT_ENTRA_CLOUD || partition === cloud.awsPartition) return [];
  return [
    {
      path: ["cloud"],
      message: `must match the aws provider's partition, ${partition}: ${cloud.name} pairs only with ${cloud.awsPartition} (no public source confirms that STS in another partition accepts its tokens); deploy with an aws provider in ${cloud.awsPartition} or set cloud to the tenant's cloud`,
      got: render(cloud.name),
    },
  ];
}

/** Placeholders of the exact lengths of values only known at deployment time. */
const PLACEHOLDER_GUID = "00000000-0000-0000-0000-000000000000";
const PLACEHOLDER_ACCOUNT = "000000000000";

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
  const issuerUrl = v1IssuerUrl(entraCloud(config.cloud), config.tenantId);
  const base: Omit<TrustPolicyInput, "subjects"> = {
    issuerUrl,
    providerArn:
      "existingArn" in config.oidcProvider
        ? config.oidcProvider.existingArn
        : oidcProviderArn(partition, PLACEHOLDER_ACCOUNT, issuerUrl),
    audience: config.application.identifierUri ?? defaultIdentifierUri(PLACEHOLDER_GUID),
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
