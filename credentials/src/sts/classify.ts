/**
 * Which AssumeRoleWithWebIdentity errors are worth retrying (see federation-facts.md in the
 * repository's shared reference), and the error code of an SDK error.
 */

export type RetryDecision =
  /** Transient: retry with capped, jittered exponential backoff. */
  | "retry"
  /** The Entra token expired on the way: get a new token once, then call STS again. */
  | "new-token"
  /** Configuration error: retrying cannot help; explain and stop. */
  | "fatal";

export const THROTTLING: ReadonlySet<string> = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
]);

const TRANSIENT: ReadonlySet<string> = new Set([
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

/** Configuration errors: fatal whatever the HTTP status says. */
const CONFIGURATION: ReadonlySet<string> = new Set([
  "InvalidIdentityToken",
  "IDPRejectedClaim",
  "AccessDenied",
  "MalformedPolicyDocument",
  "PackedPolicyTooLarge",
  "RegionDisabledException",
  "ValidationError",
]);

/**
 * Codes of an STS call that never got an answer: the connection was refused or reset, the name
 * did not resolve, the network was unreachable, or the SDK's request timeout passed.
 */
export const NO_ANSWER: ReadonlySet<string> = new Set([
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
const SDK_NAME_TO_CODE: ReadonlyMap<string, string> = new Map([
  ["IDPCommunicationErrorException", "IDPCommunicationError"],
  ["InvalidIdentityTokenException", "InvalidIdentityToken"],
  ["IDPRejectedClaimException", "IDPRejectedClaim"],
  ["MalformedPolicyDocumentException", "MalformedPolicyDocument"],
  ["PackedPolicyTooLargeException", "PackedPolicyTooLarge"],
  ["RegionDisabledException", "RegionDisabledException"],
  ["ExpiredTokenException", "ExpiredTokenException"],
]);

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
      return SDK_NAME_TO_CODE.get(candidate) ?? candidate;
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
  if (code !== undefined && CONFIGURATION.has(code)) return "fatal";
  if (status === 429 || (status !== undefined && status >= 500)) return "retry";
  return "fatal";
}
