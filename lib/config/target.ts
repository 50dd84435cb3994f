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
import type { FederationConfig, OidcProviderConfig } from "./schema";

/** The validated configuration bound to the tenant the azuread provider is signed in to. */
export type ResolvedConfig = FederationConfig & { readonly tenantId: string };

/** What an account's credentials reach: the caller identity's account and the partition. */
export interface AccountTarget {
  readonly accountId: string;
  readonly partition: string;
}

/**
 * Where the program deploys: the azuread provider's tenant, the aws provider's partition, and,
 * when looked up, the account the aws provider's credentials reach, the azure-native provider's
 * subscription and what each named account's aws.Provider reaches.
 */
export interface DeploymentTarget {
  readonly tenantId: string;
  readonly partition: string;
  readonly accountId?: string;
  readonly subscriptionId?: string;
  readonly accounts?: ReadonlyMap<string, AccountTarget>;
}

/**
 * Binds the configuration to where it deploys, before any resource is registered: a configured
 * `tenantId`, an `api://<tenantId>/…` identifier URI and existing providers' ARNs must all name
 * the signed-in tenant, where the apps and identities will be created; a configured
 * `azureSubscriptionId`, `accountId` and each account's `accountId` must be what the providers'
 * credentials reach; the cloud must pair with each account's partition; an existing provider's,
 * the deployer role's, managed policies' and permissions boundaries' ARNs must be in the
 * partition of the account they are used in (AWS managed policies too:
 * arn:aws-us-gov:iam::aws:policy/…); and every role's trust policy must fit the IAM quota with its
 * account's partition in the provider ARN.
 */
export function resolveTarget(config: FederationConfig, target: DeploymentTarget): ResolvedConfig {
  const tenantId = target.tenantId.toLowerCase();
  const cloud = entraCloud(config.cloud);
  // A configured tenant other than the signed-in one is the cause of any tenant mismatch below, so
  // it is reported alone; the other checks still run, so one run lists every problem.
  const issues =
    config.tenantId !== undefined && config.tenantId !== tenantId
      ? [
          {
            path: ["tenantId"],
            message: `must be the tenant the azuread provider is signed in to, ${tenantId}: sign in to the configured tenant (az login --tenant ${config.tenantId}) or change tenantId`,
            got: render(config.tenantId),
          },
        ]
      : tenantIssues(
          config.application.identifierUri,
          providersOf(config).flatMap(({ path, provider }) =>
            "existingArn" in provider ? [[[...path, "existingArn"], provider.existingArn]] : [],
          ),
          tenantId,
          config.cloud,
        );
  issues.unshift(...identityIssues(config, target));
  const partitionIssue = (path: ConfigIssue["path"], arn: string | undefined, where: Where) => {
    if (arn !== undefined && arn.split(":")[1] !== where.partition) {
      issues.push({
        path,
        message: `must be an ARN in ${where.partitionOf}, ${where.partition}`,
        got: render(arn),
      });
    }
  };
  const wheres = new Map<string | undefined, Where>([
    [undefined, { partitionOf: "the aws provider's partition", partition: target.partition }],
  ]);
  for (const [name, account] of config.accounts) {
    const where = {
      partitionOf: `the partition of accounts.${name}'s aws provider`,
      // Only missing when a caller passes no targets for the accounts (a unit test's target).
      partition: target.accounts?.get(name)?.partition ?? target.partition,
    };
    wheres.set(name, where);
    partitionIssue(["accounts", name, "assumeRoleArn"], account.assumeRoleArn, where);
  }
  const used = new Set(config.roles.map((role) => role.account));
  for (const { name, path, provider } of providersOf(config)) {
    const where = wheres.get(name)!;
    // The default account's partition matters only when something deploys there.
    if (name !== undefined || used.has(undefined)) {
      issues.push(...cloudPartitionIssues(cloud, where));
    }
    if ("existingArn" in provider) {
      partitionIssue([...path, "existingArn"], provider.existingArn, where);
    }
  }
  const resolved = { ...config, tenantId };
  config.roles.forEach((role, r) => {
    const where = wheres.get(role.account)!;
    role.managedPolicyArns.forEach((arn, i) =>
      partitionIssue(["roles", r, "managedPolicyArns", i], arn, where),
    );
    partitionIssue(["roles", r, "permissionsBoundaryArn"], role.permissionsBoundaryArn, where);
    const issue = trustPolicyLengthIssue(resolved, where.partition, r);
    if (issue) issues.push(issue);
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return resolved;
}

/** An account's partition, and how messages name it. */
interface Where {
  readonly partitionOf: string;
  readonly partition: string;
}

/** The default account's provider (name undefined), then each account's, with its config path. */
function providersOf(config: FederationConfig): {
  name: string | undefined;
  path: ConfigIssue["path"];
  provider: OidcProviderConfig;
}[] {
  return [
    { name: undefined, path: ["oidcProvider"], provider: config.oidcProvider },
    ...[...config.accounts].map(([name, account]) => ({
      name,
      path: ["accounts", name, "oidcProvider"],
      provider: account.oidcProvider,
    })),
  ];
}

/**
 * The configured subscription and accounts against what the providers' credentials reach: a wrong
 * AWS_PROFILE or `az account set` must not deploy into another account or subscription.
 */
function identityIssues(config: FederationConfig, target: DeploymentTarget): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { azureSubscriptionId, accountId } = config;
  if (azureSubscriptionId !== undefined && target.subscriptionId !== undefined) {
    const actual = target.subscriptionId.toLowerCase();
    if (actual !== azureSubscriptionId) {
      issues.push({
        path: ["azureSubscriptionId"],
        message: `must be the subscription the azure-native provider is signed in to, ${actual}: select the configured one (az account set --subscription ${azureSubscriptionId}, or ARM_SUBSCRIPTION_ID) or change azureSubscriptionId`,
        got: render(azureSubscriptionId),
      });
    }
  }
  if (accountId !== undefined && target.accountId !== undefined && target.accountId !== accountId) {
    issues.push({
      path: ["accountId"],
      message: `must be the account the aws provider's credentials reach, ${target.accountId}: use the configured account's credentials (AWS_PROFILE, aws:profile) or change accountId`,
      got: render(accountId),
    });
  }
  for (const [name, account] of config.accounts) {
    const reached = target.accounts?.get(name)?.accountId;
    if (reached !== undefined && reached !== account.accountId) {
      const how =
        account.assumeRoleArn === undefined ? "the deployer's credentials" : `assumeRoleArn`;
      issues.push({
        path: ["accounts", name, "accountId"],
        message: `must be the account that the aws provider of accounts.${name} reaches through ${how}, ${reached}: fix the credentials or assumeRoleArn, or change accountId`,
        got: render(account.accountId),
      });
    } else if (reached !== undefined && reached === target.accountId && accountId === undefined) {
      issues.push({
        path: ["accounts", name, "accountId"],
        message: `must not be the default account, which the aws provider's credentials reach: roles without account deploy there; leave account out of their entries instead`,
        got: render(account.accountId),
      });
    }
  }
  return issues;
}

/**
 * Which Azure cloud may federate into which AWS partition. AzurePublic tenants deployed into every
 * partition before `cloud` existed, and still may (STS in aws-us-gov and aws-cn reads a public
 * issuer like any other). Any other cloud pairs only with its own partition (AzureChina: aws-cn):
 * no public AWS or Microsoft source confirms that STS in another partition reaches its issuer.
 */
function cloudPartitionIssues(cloud: EntraCloud, { partitionOf, partition }: Where): ConfigIssue[] {
  if (cloud.name === DEFAULT_ENTRA_CLOUD || partition === cloud.awsPartition) return [];
  return [
    {
      path: ["cloud"],
      message: `must match ${partitionOf}, ${partition}: ${cloud.name} pairs only with ${cloud.awsPartition} (no public source confirms that STS in another partition accepts its tokens); deploy with an aws provider in ${cloud.awsPartition} or set cloud to the tenant's cloud`,
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
  const provider =
    role.account === undefined
      ? config.oidcProvider
      : config.accounts.get(role.account)!.oidcProvider;
  const base: Omit<TrustPolicyInput, "subjects"> = {
    issuerUrl,
    providerArn:
      "existingArn" in provider
        ? provider.existingArn
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
