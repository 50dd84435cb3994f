/**
 * The Entra ID facts per Azure cloud: the one home of every Entra host and issuer string in this
 * repository. The Pulumi program (via lib/entra.ts) and the credentials helper both read them here,
 * so the issuer the IAM OIDC provider trusts and the issuer the helper expects cannot drift. It lives
 * in the credentials package because that package must install from its packed tarball alone.
 *
 * Sources:
 * - v1 issuer, AzurePublic: the v1 discovery document of a tenant,
 *   https://login.microsoftonline.com/<tid>/.well-known/openid-configuration, has
 *   "issuer":"https://sts.windows.net/<tid>/" and
 *   "jwks_uri":"https://login.microsoftonline.com/common/discovery/keys".
 * - v1 issuer, AzureChina: https://sts.chinacloudapi.cn/<tid>/ (MicrosoftDocs/azure-docs#123050,
 *   "Issuer URL of China 21Vianet should be: https://sts.chinacloudapi.cn/{AzureAD TenantID}/";
 *   Azure China's multi-tenant-apps article; Azure/AzureStack-Tools Identity/GraphAPI/GraphAPI.psm1
 *   IssuerTemplate "https://sts.chinacloudapi.cn/{0}/"). Its JWKS host is not confirmed by any
 *   public source (login.partner.microsoftonline.cn is seen in third-party code only).
 * - AzureUSGovernment: no public Microsoft source states its v1 issuer (Microsoft's own code names
 *   both https://sts.windows.net/<tid>/ and https://login.microsoftonline.us/<tid>/), so it is
 *   refused rather than shipped with a guessed issuer.
 * - Authority hosts: @azure/identity's AzureAuthorityHosts (dist/commonjs/constants.js):
 *   AzurePublicCloud "https://login.microsoftonline.com", AzureChina "https://login.chinacloudapi.cn".
 */

/** The values of the program's `cloud` setting and of the helper's ENTRA_AWS_CLOUD. */
export const ENTRA_CLOUD_NAMES = ["AzurePublic", "AzureUSGovernment", "AzureChina"] as const;
export type EntraCloudName = (typeof ENTRA_CLOUD_NAMES)[number];
export const DEFAULT_ENTRA_CLOUD: EntraCloudName = "AzurePublic";

export interface EntraCloud {
  readonly name: EntraCloudName;
  /** Host of the v1 token issuer `https://<issuerHost>/<tenantId>/`. */
  readonly issuerHost: string;
  /** Login authority for client credential flows (`@azure/identity` authorityHost). */
  readonly authorityHost: string;
  /**
   * Where the issuer's signing keys are served, for `thumbprints: auto`; undefined where no public
   * source confirms it, and `auto` is refused for that cloud.
   */
  readonly jwksUrl: string | undefined;
  /** The AWS partition this cloud's workloads normally federate into. */
  readonly awsPartition: string;
}

const CLOUDS: Readonly<Record<EntraCloudName, EntraCloud | { readonly unsupported: string }>> = {
  AzurePublic: {
    name: "AzurePublic",
    issuerHost: "sts.windows.net",
    authorityHost: "https://login.microsoftonline.com",
    jwksUrl: "https://login.microsoftonline.com/common/discovery/keys",
    awsPartition: "aws",
  },
  AzureChina: {
    name: "AzureChina",
    issuerHost: "sts.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    jwksUrl: undefined,
    awsPartition: "aws-cn",
  },
  AzureUSGovernment: {
    unsupported:
      "is not supported yet: no public Microsoft source confirms the v1 token issuer of Azure US Government tenants, and a wrong issuer would make every role unassumable",
  },
};

/** Why a cloud cannot be used, or undefined when it can. */
export function unsupportedCloudReason(name: EntraCloudName): string | undefined {
  const cloud = CLOUDS[name];
  return "unsupported" in cloud ? cloud.unsupported : undefined;
}

export function isEntraCloudName(value: unknown): value is EntraCloudName {
  return typeof value === "string" && (ENTRA_CLOUD_NAMES as readonly string[]).includes(value);
}

/** The facts of a supported cloud; throws for one {@link unsupportedCloudReason} refuses. */
export function entraCloud(name: EntraCloudName): EntraCloud {
  const cloud = CLOUDS[name];
  if ("unsupported" in cloud) throw new Error(`cloud ${name} ${cloud.unsupported}`);
  return cloud;
}

const v1IssuerPrefix = (cloud: EntraCloud): string => `https://${cloud.issuerHost}/`;

/**
 * The v1 access token issuer, `iss`. STS matches the IAM OIDC provider whose URL equals `iss`
 * exactly, so the trailing slash is part of the contract.
 */
export function v1IssuerUrl(cloud: EntraCloud, tenantId: string): string {
  return `${v1IssuerPrefix(cloud)}${tenantId}/`;
}

/** The issuer with a placeholder tenant, for messages: `https://sts.windows.net/<tenantId>/`. */
export function v1IssuerPattern(cloud: EntraCloud): string {
  return v1IssuerUrl(cloud, "<tenantId>");
}

/**
 * The supported cloud whose v1 issuer host `iss` starts with (`https://<issuerHost>/`), whatever
 * follows: tells a token of another cloud, or another tenant, from one that is no v1 token.
 */
export function cloudOfV1Issuer(iss: string): EntraCloud | undefined {
  for (const cloud of Object.values(CLOUDS)) {
    if ("issuerHost" in cloud && iss.startsWith(v1IssuerPrefix(cloud))) return cloud;
  }
  return undefined;
}

/** The default App ID URI, accepted by the tenant-wide identifier URI policy. */
export function defaultIdentifierUri(clientId: string): string {
  return `api://${clientId}`;
}

/**
 * Scope for `getToken`. `@azure/identity` strips `/.default` for managed identities, and client
 * credential flows need it (else AADSTS1002012), so one value works for both.
 */
export function tokenScope(audience: string): string {
  return `${audience}/.default`;
}
