import { getCallerIdentity } from "@pulumi/aws/getCallerIdentity";
import { getPartition } from "@pulumi/aws/getPartition";
import type { Provider } from "@pulumi/aws/provider";
import * as authorization from "@pulumi/azure-native/authorization";
import * as azuread from "@pulumi/azuread";
import type { AccountTarget, DeploymentTarget, FederationConfig } from "../lib/config";

/**
 * Asks the providers where they deploy, for `resolveTarget` to compare with the configuration
 * before anything but the accounts' aws.Providers is registered: the azuread provider's tenant,
 * the aws provider's partition and, only when something is to be compared with it, its account
 * and the azure-native provider's subscription; each named account's account and partition
 * through its own provider.
 */
export async function deploymentTarget(
  config: FederationConfig,
  providers: ReadonlyMap<string, Provider>,
): Promise<DeploymentTarget> {
  const usesDefault = config.roles.some((role) => role.account === undefined);
  // The default account's id pins it, and tells whether a named account is the default one.
  const checksDefault = config.accountId !== undefined || (usesDefault && config.accounts.size > 0);
  const [{ tenantId }, { partition }, caller, client, accounts] = await Promise.all([
    azuread.getClientConfig(),
    getPartition(),
    checksDefault ? getCallerIdentity() : undefined,
    config.azureSubscriptionId !== undefined ? authorization.getClientConfig() : undefined,
    Promise.all([...providers].map(([name, provider]) => reach(name, provider))),
  ]);
  return {
    tenantId,
    partition,
    ...(caller && { accountId: caller.accountId }),
    ...(client && { subscriptionId: client.subscriptionId }),
    accounts: new Map(accounts),
  };
}

async function reach(name: string, provider: Provider): Promise<[string, AccountTarget]> {
  const [caller, partition] = await Promise.all([
    getCallerIdentity({}, { provider }),
    getPartition({}, { provider }),
  ]);
  return [name, { accountId: caller.accountId, partition: partition.partition }];
}
