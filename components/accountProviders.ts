import * as awsConfig from "@pulumi/aws/config";
import { Provider } from "@pulumi/aws/provider";
import type { AccountConfig } from "../lib/config";

/**
 * One explicit aws.Provider per named account: every AWS resource of the account is created
 * through it. An explicit provider reads none of the stack's `aws:` configuration, so the region
 * falls back to `aws:region` here (and then to the environment, as the provider itself does).
 * `allowedAccountIds` is the provider's own guard against credentials for another account; the
 * program also compares the caller identity before registering anything else (index.ts).
 */
export function accountProviders(
  prefix: string,
  accounts: ReadonlyMap<string, AccountConfig>,
): Map<string, Provider> {
  const providers = new Map<string, Provider>();
  for (const [name, account] of accounts) {
    const region = account.region ?? awsConfig.region;
    providers.set(
      name,
      new Provider(`${prefix}-account-${name}`, {
        ...(region !== undefined && { region }),
        allowedAccountIds: [account.accountId],
        ...(account.assumeRoleArn !== undefined && {
          assumeRoles: [{ roleArn: account.assumeRoleArn }],
        }),
      }),
    );
  }
  return providers;
}
