/**
 * The IAM calls behind the shared provider, from the IAM API reference
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/): AddClientIDToOpenIDConnectProvider and
 * RemoveClientIDFromOpenIDConnectProvider are idempotent (adding a listed client ID or removing
 * an unlisted one succeeds), GetOpenIDConnectProvider and the others answer NoSuchEntity (404)
 * for a provider that does not exist, CreateOpenIDConnectProvider answers EntityAlreadyExists
 * (409) for a URL the account already has, and LimitExceeded (409) past a quota.
 */
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { MAX_CLIENT_IDS, oidcProviderArn } from "../trustPolicy";
import type { AwsClients } from "./iamClient";
import type { SharedOidcProviderInputs } from "./inputs";

/**
 * The provider's ARN in the expected account, after checking that the credentials resolve to
 * that account: IAM creates a provider wherever the credentials point, so a wrong AWS_PROFILE
 * would otherwise put it in another account. The partition comes from the caller's ARN.
 */
export async function providerArnInAccount(
  clients: AwsClients,
  inputs: SharedOidcProviderInputs,
): Promise<string> {
  const caller = await clients.sts.send(new GetCallerIdentityCommand({}));
  if (caller.Account !== inputs.accountId) {
    const via =
      inputs.assumeRoleArn === undefined
        ? "the default credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...)"
        : `role ${inputs.assumeRoleArn}`;
    throw new Error(
      `the AWS credentials for the shared OIDC provider (${via}) are ${caller.Arn ?? "unknown"} in account ${caller.Account ?? "unknown"}, ` +
        `not accountId ${inputs.accountId}: use credentials for account ${inputs.accountId} or set assumeRoleArn to a role in it; nothing was changed`,
    );
  }
  const partition = (caller.Arn ?? "").split(":")[1] ?? "aws";
  return oidcProviderArn(partition, inputs.accountId, inputs.issuerUrl);
}

/** The provider's client IDs, or undefined when the account has no such provider. */
export async function clientIds(clients: AwsClients, arn: string): Promise<string[] | undefined> {
  try {
    const provider = await clients.iam.send(
      new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
    );
    return provider.ClientIDList ?? [];
  } catch (error) {
    if (errorName(error) === "NoSuchEntityException") return undefined;
    throw explain(error, `reading the IAM OIDC provider ${arn}`);
  }
}

/**
 * Makes the provider list the audience, creating the provider (with only this audience) when the
 * account has none. Another stack may create or delete it at the same moment: a create that
 * finds it created adopts it, an add that finds it deleted creates it. Returns whether this call
 * created the provider.
 */
export async function ensureAudience(
  clients: AwsClients,
  arn: string,
  inputs: SharedOidcProviderInputs,
): Promise<boolean> {
  // Each round ends unless another stack deletes or creates the provider in between; three
  // rounds cover a delete and a create racing this one.
  for (let round = 0; round < 3; round++) {
    if (await addAudience(clients, arn, inputs.audience)) return false;
    try {
      await clients.iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: inputs.issuerUrl,
          ClientIDList: [inputs.audience],
          // Optional (API_CreateOpenIDConnectProvider: "If it is not included, IAM will retrieve
          // and use the top intermediate CA thumbprint"); AWS verifies a JWKS host whose
          // certificate a trusted root CA signed without thumbprints.
          ThumbprintList: inputs.thumbprints.length > 0 ? [...inputs.thumbprints] : undefined,
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) !== "EntityAlreadyExistsException") {
        throw explain(error, `creating the IAM OIDC provider ${arn}`, inputs.accountId);
      }
      // Another stack created it since: add the audience to theirs.
    }
  }
  throw new Error(
    `the IAM OIDC provider ${arn} was created and deleted again three times while audience ${inputs.audience} was being added ` +
      `(another stack deploying and destroying at the same time): deploy again`,
  );
}

/** Adds the audience; false when the provider does not exist. */
async function addAudience(clients: AwsClients, arn: string, audience: string): Promise<boolean> {
  try {
    await clients.iam.send(
      new AddClientIDToOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: arn,
        ClientID: audience,
      }),
    );
    return true;
  } catch (error) {
    if (errorName(error) === "NoSuchEntityException") return false;
    if (errorName(error) === "LimitExceededException") {
      throw new Error(
        `cannot add audience ${audience} to the IAM OIDC provider ${arn}: it already lists ${MAX_CLIENT_IDS} client IDs, IAM's limit per provider. ` +
          `Remove audiences no stack uses any more (aws iam get-open-id-connect-provider --open-id-connect-provider-arn ${arn} lists them; ` +
          `aws iam remove-client-id-from-open-id-connect-provider --open-id-connect-provider-arn ${arn} --client-id <unused audience>), ` +
          `or let stacks share one Entra audience, then deploy again (IAM: ${messageOf(error)})`,
      );
    }
    throw explain(error, `adding audience ${audience} to the IAM OIDC provider ${arn}`);
  }
}

/** Removes the audience; false when the provider does not exist (any more). */
export async function removeAudience(
  clients: AwsClients,
  arn: string,
  audience: string,
): Promise<boolean> {
  try {
    await clients.iam.send(
      new RemoveClientIDFromOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: arn,
        ClientID: audience,
      }),
    );
    return true;
  } catch (error) {
    if (errorName(error) === "NoSuchEntityException") return false;
    throw explain(error, `removing audience ${audience} from the IAM OIDC provider ${arn}`);
  }
}

/** Deletes the provider; one already gone is fine. */
export async function deleteProvider(clients: AwsClients, arn: string): Promise<void> {
  try {
    await clients.iam.send(
      new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
    );
  } catch (error) {
    if (errorName(error) === "NoSuchEntityException") return;
    throw explain(error, `deleting the IAM OIDC provider ${arn}`);
  }
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: unknown } | undefined)?.name as string | undefined;
}

function messageOf(error: unknown): string {
  return `${errorName(error) ?? "Error"}: ${error instanceof Error ? error.message : String(error)}`;
}

/** The SDK's error with what was being done; a create's quota is the account's provider count. */
function explain(error: unknown, doing: string, accountId?: string): Error {
  if (accountId !== undefined && errorName(error) === "LimitExceededException") {
    return new Error(
      `${doing} failed: account ${accountId} has as many IAM OIDC providers as its quota allows; ` +
        `delete unused ones (aws iam list-open-id-connect-providers) or raise the quota, then deploy again (IAM: ${messageOf(error)})`,
      { cause: error },
    );
  }
  return new Error(`${doing} failed: ${messageOf(error)}`, { cause: error });
}
