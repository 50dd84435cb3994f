import { redact } from "./redact";

/**
 * What AssumeRoleWithWebIdentity errors mean for an Entra ID federation, and what to do about
 * them (see federation-facts.md in the repository's shared reference).
 */

export type RetryDecision =
  /** Transient: retry with capped, jittered exponential backoff. */
  | "retry"
  /** The Entra token expired on the way: get a new token once, then call STS again. */
  | "new-token"
  /** Configuration error: retrying cannot help; explain and stop. */
  | "fatal";

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
]);

const TRANSIENT = new Set([
  "IDPCommunicationError",
  "InternalFailure",
  "InternalError",
  "ServiceUnavailable",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
]);

/**
 * Codes of an STS call that never got an answer: the connection was refused or reset, the name
 * did not resolve, the network was unreachable, or the SDK's request timeout passed.
 */
const NO_ANSWER = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "TimeoutError",
]);

/** SDK v3 names modeled STS errors `<Code>Exception`; unmodeled ones keep the wire code. */
const SDK_NAME_TO_CODE: Record<string, string> = {
  IDPCommunicationErrorException: "IDPCommunicationError",
  InvalidIdentityTokenException: "InvalidIdentityToken",
  IDPRejectedClaimException: "IDPRejectedClaim",
  MalformedPolicyDocumentException: "MalformedPolicyDocument",
  PackedPolicyTooLargeException: "PackedPolicyTooLarge",
  RegionDisabledException: "RegionDisabledException",
  ExpiredTokenException: "ExpiredTokenException",
};

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The STS error code of an SDK error (or a plain `{ code }`), e.g. "InvalidIdentityToken". */
export function stsErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as ErrorLike;
  for (const candidate of [e.Code, e.code, e.name]) {
    if (typeof candidate === "string" && candidate !== "Error" && candidate !== "") {
      return SDK_NAME_TO_CODE[candidate] ?? candidate;
    }
  }
  return undefined;
}

export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  return (error as ErrorLike).$metadata?.httpStatusCode;
}

/** The retry rule for one STS error code (and HTTP status when the code is unknown). */
export function classifyStsError(code: string | undefined, status?: number): RetryDecision {
  if (code === "ExpiredTokenException" || code === "ExpiredToken") return "new-token";
  if (code !== undefined && (THROTTLING.has(code) || TRANSIENT.has(code))) return "retry";
  if (code !== undefined && EXPLANATIONS[code]) return "fatal";
  if (status === 429 || (status !== undefined && status >= 500)) return "retry";
  return "fatal";
}

export interface Explanation {
  /** One line: what the error means here. */
  summary: string;
  /** The likely causes, most likely first, each with its fix. */
  causes: string[];
}

const V2_TOKEN =
  "The token is a v2.0 token (iss https://login.microsoftonline.com/<tenant>/v2.0, audience in azp): set the federation app's api.requestedAccessTokenVersion = 1.";
const TRAILING_SLASH =
  "The IAM OIDC provider URL must equal the token's iss exactly: https://sts.windows.net/<tenantId>/ with the trailing slash.";
const WRONG_TENANT =
  "The provider was created for another tenant, or in another AWS account than the role: compare the provider ARN in the role's trust policy with oidcProviderArn.";
const AUD_NOT_LISTED =
  "The token's aud is not in the OIDC provider's client ID list: it must be the App ID URI exactly as requested (e.g. api://<appId>), and the helper's audience must be that same string.";
const SUB_MISMATCH =
  "The token's sub is not in the role's trust policy: sub is the identity's service principal object id (principalId), never its client id or the application object id.";
const CONDITION_KEYS =
  "The trust policy's condition keys must be sts.windows.net/<tenantId>/:aud and :sub (with the slash before the colon) under StringEquals.";
const WRONG_ROLE =
  "The role ARN is wrong, or the role trusts another provider/audience: print the right values with `entra-aws-credentials env`.";
const NEW_ROLE =
  "The role or its trust policy was changed moments ago: IAM is eventually consistent, retry in 30 seconds.";

const EXPLANATIONS: Record<string, Explanation> = {
  InvalidIdentityToken: {
    summary: "AWS STS rejected the Entra token (issuer, audience or signature).",
    causes: [TRAILING_SLASH, V2_TOKEN, AUD_NOT_LISTED, WRONG_TENANT],
  },
  IDPRejectedClaim: {
    summary: "AWS STS rejected a claim in the Entra token.",
    causes: [AUD_NOT_LISTED, V2_TOKEN, SUB_MISMATCH],
  },
  AccessDenied: {
    summary: "The role's trust policy does not allow this token to assume it.",
    causes: [SUB_MISMATCH, CONDITION_KEYS, WRONG_ROLE, NEW_ROLE],
  },
  MalformedPolicyDocument: {
    summary: "The session policy sent with the request is malformed.",
    causes: ["Remove or fix the session policy; the helper itself sends none."],
  },
  PackedPolicyTooLarge: {
    summary: "Session policies and tags are too large.",
    causes: ["Shorten the session policy or tags."],
  },
  RegionDisabledException: {
    summary: "STS is not activated in this region for the account.",
    causes: ["Activate the region in IAM account settings, or set AWS_REGION to an active one."],
  },
  ValidationError: {
    summary: "A request parameter is invalid.",
    causes: [
      "The role ARN must look like arn:aws:iam::<account>:role/<name>.",
      "DurationSeconds must be 900 up to the role's MaxSessionDuration (3,600 by default).",
      "The session name must be 2-64 characters of [\\w+=,.@-] (the helper sanitizes its default).",
    ],
  },
  IDPCommunicationError: {
    summary: "AWS STS could not reach Entra ID to fetch its signing keys (transient).",
    causes: ["Retried automatically; if it persists, check the AWS service health dashboard."],
  },
  Throttling: {
    summary: "AWS STS throttled the request.",
    causes: [
      "Retried automatically; cache credentials (this helper does) instead of calling STS per request.",
    ],
  },
  ExpiredTokenException: {
    summary: "AWS STS says the Entra token has expired.",
    causes: [
      "A token cache that judges expiry by a clock that is behind (MSAL's on this machine for a managed identity, or the managed identity endpoint's) still serves a token STS sees as expired: check this machine's clock and enable NTP time sync (IAM allows 5 minutes of skew).",
    ],
  },
};

/** ExpiredTokenException, and asked again the credential returned the very same token. */
export const EXPIRED_TOKEN_UNCHANGED: Explanation = {
  summary: EXPLANATIONS.ExpiredTokenException!.summary,
  causes: [
    "Asked again, the credential returned the same token, so STS was not called a second time: @azure/identity (MSAL) keeps a managed identity's token until it is near expiry by this machine's clock, so that clock is behind STS's. Check it and enable NTP time sync (IAM allows 5 minutes of skew).",
  ],
};

/** Where the STS request went, for the error when STS never answered. */
export interface StsEndpointContext {
  /** scheme://host[:port] the request was sent to, when known. */
  endpoint: string | undefined;
  /** The AWS_ENDPOINT_URL_STS value, when set. */
  envEndpoint: string | undefined;
  region: string;
}

function noAnswer(code: string, where: StsEndpointContext | undefined): Explanation {
  const endpoint = where?.endpoint ?? "the STS endpoint";
  const causes: string[] = [];
  if (where?.envEndpoint !== undefined) {
    causes.push(
      `AWS_ENDPOINT_URL_STS is set to ${where.envEndpoint}: check that URL, or unset it to use the regional endpoint of ${where.region}.`,
    );
  }
  causes.push(
    `Check network access to ${endpoint}: firewall, proxy (HTTPS_PROXY), DNS, or the VPC endpoint.`,
  );
  return { summary: `AWS STS never answered: ${code} from ${endpoint}.`, causes };
}

/**
 * The explanation for an STS error code, with extra detail from the STS message when it helps.
 * `where`: the endpoint used, named when STS never answered.
 */
export function explainStsError(
  code: string | undefined,
  stsMessage = "",
  where?: StsEndpointContext,
): Explanation {
  if (code !== undefined && NO_ANSWER.has(code)) return noAnswer(code, where);
  const known = code === undefined ? undefined : EXPLANATIONS[code];
  const base: Explanation = known ??
    (code !== undefined && THROTTLING.has(code) ? EXPLANATIONS.Throttling : undefined) ?? {
      summary: `AWS STS returned an unexpected error${code ? ` (${code})` : ""}.`,
      causes: ["Check AWS_REGION / the STS endpoint and network access to it."],
    };
  if (code === "InvalidIdentityToken") {
    if (/No OpenIDConnect provider found/i.test(stsMessage)) {
      return { summary: base.summary, causes: [TRAILING_SLASH, V2_TOKEN, WRONG_TENANT] };
    }
    if (/audience/i.test(stsMessage)) {
      return { summary: base.summary, causes: [AUD_NOT_LISTED, V2_TOKEN] };
    }
    if (/signature|thumbprint|keys/i.test(stsMessage)) {
      return {
        summary: base.summary,
        causes: [
          "The token's signature did not verify against the issuer's keys: it was not issued by this tenant, or it was altered.",
          "If the provider pins thumbprints, they must match the JWKS host's certificate chain (or leave them empty).",
        ],
      };
    }
  }
  return base;
}

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

/**
 * `secrets`: the values to keep out of the message, e.g. AZURE_CLIENT_SECRET. `kind`: which
 * credential failed, so a caller app never gets the managed identity's hints and vice versa.
 */
export function entraError(
  error: unknown,
  scope: string,
  secrets: readonly (string | undefined)[] = [],
  kind: CredentialKind = "other",
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
            "Entra ID did not answer the caller app's token request: check network access to the Entra login endpoint (AZURE_AUTHORITY_HOST, default login.microsoftonline.com) and the proxy settings (HTTPS_PROXY).",
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
/** The error the helper surfaces: a clear message with the likely causes; never any secret. */
export class EntraAwsCredentialsError extends Error {
  override name = "EntraAwsCredentialsError";
  /** "sts" or "entra": which side failed. */
  readonly source: "sts" | "entra" | "config";
  /** The STS error code, when the failure came from STS. */
  readonly code: string | undefined;
  readonly retryable: boolean;
  readonly causes: string[];

  constructor(args: {
    source: "sts" | "entra" | "config";
    message: string;
    code?: string;
    retryable?: boolean;
    causes?: string[];
    cause?: unknown;
    /** Secret values known where the error is built, replaced in the message. */
    secrets?: readonly (string | undefined)[];
  }) {
    const causes = args.causes ?? [];
    const text =
      causes.length > 0
        ? `${args.message}\nLikely causes:\n${causes.map((c) => `  - ${c}`).join("\n")}`
        : args.message;
    super(redact(text, args.secrets), args.cause === undefined ? undefined : { cause: args.cause });
    this.source = args.source;
    this.code = args.code;
    this.retryable = args.retryable ?? false;
    this.causes = causes;
  }
}

/**
 * `secrets`: the values to keep out of the message, e.g. the token sent to STS. `explanation`:
 * when the caller knows more than the error code tells. `where`: the endpoint used.
 */
export function stsError(
  error: unknown,
  roleArn: string,
  secrets: readonly (string | undefined)[] = [],
  explanation?: Explanation,
  where?: StsEndpointContext,
): EntraAwsCredentialsError {
  const code = stsErrorCode(error);
  const stsMessage = error instanceof Error ? error.message : String(error);
  explanation ??= explainStsError(code, stsMessage, where);
  const decision = classifyStsError(code, httpStatus(error));
  return new EntraAwsCredentialsError({
    source: "sts",
    code,
    retryable: decision === "retry",
    message: `AssumeRoleWithWebIdentity for ${roleArn} failed: ${code ?? "error"}: ${stsMessage}\n${explanation.summary}`,
    causes: explanation.causes,
    cause: error,
    secrets,
  });
}
