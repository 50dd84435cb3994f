/**
 * What AssumeRoleWithWebIdentity errors mean for an Entra ID federation, and what to do about
 * them (see federation-facts.md in the repository's shared reference). The issuer and condition
 * keys named are the cloud's (entraCloud.ts).
 */
import { DEFAULT_ENTRA_CLOUD, entraCloud, v1IssuerPattern, type EntraCloud } from "../entraCloud";
import type { Explanation } from "../errors";
import { NO_ANSWER, THROTTLING } from "./classify";

const v2Token = (cloud: EntraCloud): string =>
  `The token is a v2.0 token (iss ${cloud.authorityHost}/<tenant>/v2.0, audience in azp): set the federation app's api.requestedAccessTokenVersion = 1.`;
const trailingSlash = (cloud: EntraCloud): string =>
  `The IAM OIDC provider URL must equal the token's iss exactly: ${v1IssuerPattern(cloud)} with the trailing slash.`;
/** IAM names a provider's condition keys by its URL without the scheme. */
const conditionKeys = (cloud: EntraCloud): string =>
  `The trust policy's condition keys must be ${v1IssuerPattern(cloud).replace(/^https:\/\//, "")}:aud and :sub (with the slash before the colon) under StringEquals.`;
const WRONG_TENANT =
  "The provider was created for another tenant, or in another AWS account than the role: compare the provider ARN in the role's trust policy with oidcProviderArn.";
const AUD_NOT_LISTED =
  "The token's aud is not in the OIDC provider's client ID list: it must be the App ID URI exactly as requested (e.g. api://<appId>), and the helper's audience must be that same string.";
const SUB_MISMATCH =
  "The token's sub is not in the role's trust policy: sub is the identity's service principal object id (principalId), never its client id or the application object id.";
const WRONG_ROLE =
  "The role ARN is wrong, or the role trusts another provider/audience: print the right values with `entra-aws-credentials env`.";
const NEW_ROLE =
  "The role or its trust policy was changed moments ago: IAM is eventually consistent, retry in 30 seconds.";

const EXPIRED_TOKEN_SUMMARY = "AWS STS says the Entra token has expired.";
const THROTTLED: Explanation = {
  summary: "AWS STS throttled the request.",
  causes: [
    "Retried automatically; cache credentials (this helper does) instead of calling STS per request.",
  ],
};

/** The catalogue, by STS error code. */
function catalogue(cloud: EntraCloud): ReadonlyMap<string, Explanation> {
  return new Map([
    [
      "InvalidIdentityToken",
      {
        summary: "AWS STS rejected the Entra token (issuer, audience or signature).",
        causes: [trailingSlash(cloud), v2Token(cloud), AUD_NOT_LISTED, WRONG_TENANT],
      },
    ],
    [
      "IDPRejectedClaim",
      {
        summary: "AWS STS rejected a claim in the Entra token.",
        causes: [AUD_NOT_LISTED, v2Token(cloud), SUB_MISMATCH],
      },
    ],
    [
      "AccessDenied",
      {
        summary: "The role's trust policy does not allow this token to assume it.",
        causes: [SUB_MISMATCH, conditionKeys(cloud), WRONG_ROLE, NEW_ROLE],
      },
    ],
    [
      "MalformedPolicyDocument",
      {
        summary: "The session policy sent with the request is malformed.",
        causes: ["Remove or fix the session policy; the helper itself sends none."],
      },
    ],
    [
      "PackedPolicyTooLarge",
      {
        summary: "Session policies and tags are too large.",
        causes: ["Shorten the session policy or tags."],
      },
    ],
    [
      "RegionDisabledException",
      {
        summary: "STS is not activated in this region for the account.",
        causes: [
          "Activate the region in IAM account settings, or set AWS_REGION to an active one.",
        ],
      },
    ],
    [
      "ValidationError",
      {
        summary: "A request parameter is invalid.",
        causes: [
          "The role ARN must look like arn:aws:iam::<account>:role/<name>.",
          "DurationSeconds must be 900 up to the role's MaxSessionDuration (3,600 by default).",
          "The session name must be 2-64 characters of [\\w+=,.@-] (the helper sanitizes its default).",
        ],
      },
    ],
    [
      "IDPCommunicationError",
      {
        summary: "AWS STS could not reach Entra ID to fetch its signing keys (transient).",
        causes: ["Retried automatically; if it persists, check the AWS service health dashboard."],
      },
    ],
    ["Throttling", THROTTLED],
    [
      "ExpiredTokenException",
      {
        summary: EXPIRED_TOKEN_SUMMARY,
        causes: [
          "A token cache that judges expiry by a clock that is behind (MSAL's on this machine for a managed identity, or the managed identity endpoint's) still serves a token STS sees as expired: check this machine's clock and enable NTP time sync (IAM allows 5 minutes of skew).",
        ],
      },
    ],
  ]);
}

/** ExpiredTokenException, and asked again the credential returned the very same token. */
export const EXPIRED_TOKEN_UNCHANGED: Explanation = {
  summary: EXPIRED_TOKEN_SUMMARY,
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
 * `where`: the endpoint used, named when STS never answered. `cloud`: whose issuer to name.
 */
export function explainStsError(
  code: string | undefined,
  stsMessage = "",
  where?: StsEndpointContext,
  cloud: EntraCloud = entraCloud(DEFAULT_ENTRA_CLOUD),
): Explanation {
  if (code !== undefined && NO_ANSWER.has(code)) return noAnswer(code, where);
  const known =
    code === undefined
      ? undefined
      : (catalogue(cloud).get(code) ?? (THROTTLING.has(code) ? THROTTLED : undefined));
  const base: Explanation = known ?? {
    summary: `AWS STS returned an unexpected error${code ? ` (${code})` : ""}.`,
    causes: ["Check AWS_REGION / the STS endpoint and network access to it."],
  };
  if (code === "InvalidIdentityToken") {
    if (/No OpenIDConnect provider found/i.test(stsMessage)) {
      return {
        summary: base.summary,
        causes: [trailingSlash(cloud), v2Token(cloud), WRONG_TENANT],
      };
    }
    if (/audience/i.test(stsMessage)) {
      return { summary: base.summary, causes: [AUD_NOT_LISTED, v2Token(cloud)] };
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
