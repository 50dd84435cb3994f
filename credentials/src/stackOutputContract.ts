/**
 * The Pulumi program's stack outputs: their names and shapes, as `pulumi stack output --json`
 * prints them. The program's `EntraAwsFederation` component builds exactly this record (the type
 * checks it) and the helper's `env` command reads it, so the two cannot drift. It lives in the
 * credentials package because that package must install from its packed tarball alone.
 */
import type { EntraCloudName } from "./entraCloud";

export interface IdentityOutput {
  readonly clientId: string;
  /** The managed identity's service principal object id: the token's `sub`. */
  readonly principalId: string;
  /** Azure resource id, for identities the program created. */
  readonly resourceId?: string;
}

export interface CallerAppOutput {
  readonly clientId: string;
  /** The token's `sub`. */
  readonly servicePrincipalObjectId: string;
  readonly clientSecret: string;
  readonly clientSecretExpiresAt: string;
}

export interface RoleOutput {
  readonly arn: string;
  readonly name: string;
  /** Service principal object ids the trust policy allows. */
  readonly subjects: readonly string[];
  /** The AWS account the role is in. */
  readonly accountId: string;
  /** The entry of the program's `accounts` configuration the role is in; absent: the default account. */
  readonly account?: string;
}

export interface OidcProviderOutput {
  readonly arn: string;
  readonly accountId: string;
  /** Shared with other stacks: this stack adds and removes only its own audience on it. */
  readonly shared: boolean;
}

export interface FederationOutputs {
  readonly cloud: EntraCloudName;
  readonly tenantId: string;
  readonly issuerUrl: string;
  readonly audience: string;
  readonly tokenScope: string;
  readonly applicationClientId: string;
  readonly servicePrincipalObjectId: string;
  readonly appRoleId: string;
  readonly appRoleValue: string;
  /** The default account's provider; absent when no role deploys to the default account. */
  readonly oidcProviderArn?: string;
  /** Every account's provider, by account name (`default` for the default account). */
  readonly oidcProviders: Readonly<Record<string, OidcProviderOutput>>;
  readonly identities: Readonly<Record<string, IdentityOutput>>;
  /** A secret output: it holds the client secrets. */
  readonly callerApps: Readonly<Record<string, CallerAppOutput>>;
  readonly roles: Readonly<Record<string, RoleOutput>>;
}

/** How `pulumi stack output --json` prints a secret output without `--show-secrets`. */
export const HIDDEN_SECRET = "[secret]";
