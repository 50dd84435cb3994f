/**
 * What a failure to get an Entra token means, and what to do about it: by AADSTS code, by the
 * managed identity endpoint's answer, or by the network failure underneath.
 */
import { DEFAULT_ENTRA_CLOUD, entraCloud, type EntraCloud } from "./entraCloud";
import { EntraAwsCredentialsError, type Explanation } from "./errors";
import { NO_ANSWER } from "./sts/classify";

/** Which kind of credential asked Entra: the hints differ (no "attach the identity" for an app). */
export type CredentialKind = "managed-identity" | "caller-app" | "other";

/** Explanations for Entra (token) failures, keyed by AADSTS code or condition. */
export function explainEntraError(message: string, kind: CredentialKind = "other"): Explanation {
  const causes: string[] = [];
  const managedIdentity = kind !== "caller-app";
  if (/AADSTS501051/.test(message)) {
    causes.push(
      "The identity is not assigned the federation app's app role (appRoleAssignmentRequired is on): add it to the role's subjects in the Pulumi program.",
    );
  }
  if (/AADSTS1002012|scope .* is not valid/i.test(message)) {
    causes.push(
      "Client-secret (caller app) token requests must use the scope <App ID URI>/.default.",
    );
  }
  if (/AADSTS500011|AADSTS500001|resource principal/i.test(message)) {
    causes.push(
      "The audience is not the App ID URI of an app in this tenant: use the stack output `audience` (ENTRA_AWS_AUDIENCE).",
    );
  }
  if (/AADSTS7000215|AADSTS7000222|invalid client secret|expired/i.test(message)) {
    causes.push(
      "The caller app's client secret is wrong or expired: get the current one from the stack outputs.",
    );
  }
  if (managedIdentity && /not found|identity not found|400/i.test(message) && causes.length === 0) {
    causes.push(
      "AZURE_CLIENT_ID does not name a user-assigned identity attached to this resource.",
    );
  }
  if (causes.length === 0) {
    causes.push(
      managedIdentity
        ? "Check AZURE_CLIENT_ID / AZURE_TENANT_ID and that the identity is attached to this resource."
        : "Check the caller app's AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (stack output callerApps.<name>).",
    );
  }
  return { summary: "Could not get an Entra ID token.", causes };
}

/** The settings that select a caller app instead of a managed identity. */
const CALLER_APP_SETTINGS =
  "To use a caller app instead, set AZURE_CLIENT_SECRET, AZURE_CLIENT_ID and AZURE_TENANT_ID.";

/**
 * One line: no managed identity endpoint answered (not on Azure, or no identity here). `where`
 * names the endpoint and what happened, e.g. "IMDS at http://169.254.169.254: ECONNREFUSED".
 */
export function noManagedIdentityError(where: string, cause?: unknown): EntraAwsCredentialsError {
  return new EntraAwsCredentialsError({
    source: "entra",
    message: `No managed identity endpoint answered (${where}): not on Azure, or no managed identity here. ${CALLER_APP_SETTINGS}`,
    cause,
  });
}

interface CauseLike {
  cause?: unknown;
  code?: unknown;
  errorCode?: unknown;
  status?: unknown;
  message?: unknown;
}

/** The error and its causes, outermost first. */
function causeChain(error: unknown): CauseLike[] {
  const chain: CauseLike[] = [];
  for (let e = error; typeof e === "object" && e !== null && chain.length < 8;) {
    chain.push(e);
    e = (e as CauseLike).cause;
  }
  return chain;
}

const isNetworkFailure = (e: CauseLike): boolean =>
  e.errorCode === "network_error" || (typeof e.code === "string" && NO_ANSWER.has(e.code));

/**
 * MSAL formats a managed identity endpoint's error as "Error(s): Not Available - Timestamp: Not
 * Available - Description: … - Correlation ID: Not Available - Trace ID: Not Available"; only the
 * description says anything.
 */
function withoutMsalNoise(message: string): string {
  return message
    .replace(/(?:Error\(s\)|Timestamp|Correlation ID|Trace ID): Not Available(?: - )?/g, "")
    .replace(/ - $/, "")
    .replace(/Message : /, "Message: ")
    .trim();
}

function msalDescription(message: string): string | undefined {
  return /Description: (.*?)(?: - (?:Correlation ID|Trace ID): |$)/s.exec(message)?.[1];
}

/** What the caller knows about the credential that failed. */
export interface EntraErrorContext {
  /** The values to keep out of the message, e.g. AZURE_CLIENT_SECRET. */
  secrets?: readonly (string | undefined)[];
  /** Which credential failed, so a caller app never gets the managed identity's hints and vice versa. */
  kind?: CredentialKind;
  /**
   * The cloud whose login host a caller app asks unless AZURE_AUTHORITY_HOST is set. Default
   * AzurePublic, @azure/identity's own default.
   */
  cloud?: EntraCloud;
}

export function entraError(
  error: unknown,
  scope: string,
  { secrets = [], kind = "other", cloud = entraCloud(DEFAULT_ENTRA_CLOUD) }: EntraErrorContext = {},
): EntraAwsCredentialsError {
  if (error instanceof EntraAwsCredentialsError) return error;
  const chain = causeChain(error);
  const message = withoutMsalNoise(error instanceof Error ? error.message : String(error));
  if (kind === "managed-identity") {
    if (chain.some(isNetworkFailure) || /unavailable|Network unreachable/i.test(message)) {
      // MSAL reads the endpoint from process.env; its own message adds only a link.
      const code = chain.map((e) => e.code).find((c) => typeof c === "string" && NO_ANSWER.has(c));
      return noManagedIdentityError(
        `${process.env.IDENTITY_ENDPOINT ?? "IMDS"}: ${typeof code === "string" ? code : "network error"}`,
        error,
      );
    }
    const server = chain.find((e) => typeof e.status === "number" && e.status >= 500);
    if (server) {
      const description = msalDescription(typeof server.message === "string" ? server.message : "");
      return new EntraAwsCredentialsError({
        source: "entra",
        message: `Getting an Entra ID token for ${scope} failed: the managed identity endpoint answered HTTP ${String(server.status)}${description ? ` (${description})` : ""}, also when retried. This is on the Azure side, not in the settings: try again later, and check the Azure status page if it persists.`,
        cause: error,
        secrets,
      });
    }
  }
  const explanation =
    kind === "caller-app" && chain.some(isNetworkFailure)
      ? {
          summary: "Could not reach Entra ID.",
          causes: [
            `Entra ID did not answer the caller app's token request: check network access to the Entra login endpoint (AZURE_AUTHORITY_HOST, default ${new URL(cloud.authorityHost).host}) and the proxy settings (HTTPS_PROXY).`,
          ],
        }
      : explainEntraError(message, kind);
  return new EntraAwsCredentialsError({
    source: "entra",
    message: `Getting an Entra ID token for ${scope} failed: ${message}\n${explanation.summary}`,
    causes: explanation.causes,
    cause: error,
    secrets,
  });
}
