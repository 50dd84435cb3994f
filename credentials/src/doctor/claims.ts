/**
 * The claim checks of `doctor`, one row each, in the order AWS STS applies them: every fact an
 * Entra token must satisfy for AssumeRoleWithWebIdentity. Pure: the token is decoded, never
 * trusted, and `nowSeconds` is the local clock.
 */
import {
  cloudOfV1Issuer,
  DEFAULT_ENTRA_CLOUD,
  entraCloud,
  tokenScope,
  v1IssuerPattern,
  v1IssuerUrl,
  type EntraCloud,
} from "../entraCloud";
import type { JwtClaims } from "../jwt";

export type CheckStatus = "pass" | "fail" | "warn" | "skip";

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface ClaimExpectations {
  audience: string;
  tenantId?: string;
  expectedSubject?: string;
  appRole?: string;
  /** Whose issuer the token must have. Default AzurePublic. */
  cloud?: EntraCloud;
}

/** IAM accepts tokens up to 5 minutes past `exp`, and we flag clocks more than 5 minutes off. */
export const CLOCK_SKEW_SECONDS = 300;

/** What each check sees. */
export interface ClaimContext {
  claims: JwtClaims;
  header: Record<string, unknown>;
  expect: ClaimExpectations;
  cloud: EntraCloud;
  /** The tenant to check the issuer against: the expected one, else the token's own tid. */
  tid: string | undefined;
  /** A tenant read from the token itself proves nothing about the federation's tenant. */
  tenantFromToken: boolean;
  nowSeconds: number;
}

export type CheckOutcome = Omit<CheckResult, "id" | "title">;

export interface ClaimCheck {
  readonly id: string;
  readonly title: string | ((cloud: EntraCloud) => string);
  /** The outcome; undefined when the check has nothing to report. */
  readonly check: (c: ClaimContext) => CheckOutcome | undefined;
}

function issuer({ claims, cloud, tid, tenantFromToken }: ClaimContext): CheckOutcome {
  const iss = claims.iss;
  if (!tid) {
    return {
      status: "fail",
      detail: `iss = ${JSON.stringify(iss)} and no tenant id (pass --tenant-id or AZURE_TENANT_ID)`,
      fix: "Pass the tenant id so the issuer can be checked.",
    };
  }
  const expected = v1IssuerUrl(cloud, tid);
  if (iss === expected && tenantFromToken) {
    return {
      status: "warn",
      detail: `iss = ${iss}; tenant taken from the token, not verified: pass --tenant-id or AZURE_TENANT_ID`,
      fix: "Pass the federation's tenant id (stack output tenantId) so the issuer is checked against it, not against the token's own tid.",
    };
  }
  if (iss === expected) return { status: "pass", detail: `iss = ${iss}` };
  const issuerCloud = typeof iss === "string" ? cloudOfV1Issuer(iss) : undefined;
  let fix = `Expected ${expected} (with the trailing slash); the IAM OIDC provider URL must be exactly that.`;
  if (typeof iss === "string" && iss.startsWith(`${cloud.authorityHost}/`)) {
    fix = `This is a v2.0 issuer: set api.requestedAccessTokenVersion = 1 on the federation app. ${fix}`;
  } else if (iss === expected.slice(0, -1)) {
    fix = "The issuer lacks the trailing slash.";
  } else if (issuerCloud !== undefined && issuerCloud.name !== cloud.name) {
    fix = `The token is from ${issuerCloud.name} (issuer ${v1IssuerPattern(issuerCloud)}), not ${cloud.name}: set ENTRA_AWS_CLOUD (or --cloud) to the federation's cloud (stack output cloud), and unset AZURE_AUTHORITY_HOST unless it is that cloud's login host. ${fix}`;
  } else if (issuerCloud !== undefined) {
    fix = `The token is from another tenant than ${tid}: use the identity in the federation's tenant, or fix AZURE_TENANT_ID.`;
  }
  return { status: "fail", detail: `iss = ${JSON.stringify(iss)}`, fix };
}

function audience({ claims, expect }: ClaimContext): CheckOutcome {
  const aud = claims.aud;
  const auds = Array.isArray(aud) ? aud : [aud];
  if (auds.includes(expect.audience) && auds.length === 1) {
    return { status: "pass", detail: `aud = ${expect.audience}` };
  }
  let fix = `Request the token for ${expect.audience} (scope ${tokenScope(expect.audience)}) and list exactly that string in the IAM OIDC provider's client IDs.`;
  if (typeof aud === "string" && expect.audience.endsWith(aud)) {
    fix = `The token was requested for the bare app id; request it for the App ID URI ${expect.audience}.`;
  }
  return {
    status: "fail",
    detail: `aud = ${JSON.stringify(aud)}, expected ${JSON.stringify(expect.audience)}`,
    fix,
  };
}

function subject({ claims, expect }: ClaimContext): CheckOutcome {
  const sub = claims.sub;
  if (expect.expectedSubject === undefined) {
    return {
      status: "warn",
      detail: `sub = ${JSON.stringify(sub)} (no --expected-subject given)`,
      fix: "The role's trust policy must list this sub: the identity's principalId (service principal object id).",
    };
  }
  if (sub === expect.expectedSubject) return { status: "pass", detail: `sub = ${sub}` };
  const why =
    "sub is the identity's service principal object id (principalId): use that in the role's subjects, not the client id or the application object id.";
  return {
    status: "fail",
    detail: `sub = ${JSON.stringify(sub)}, expected ${expect.expectedSubject}`,
    fix:
      expect.expectedSubject === claims.appid
        ? `The expected subject ${expect.expectedSubject} is the client id (appid). ${why}`
        : `The token comes from another identity than expected, or the expected subject is wrong. ${why}`,
  };
}

function appRole({ claims, expect }: ClaimContext): CheckOutcome {
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  if (expect.appRole === undefined) {
    return {
      status: roles.length > 0 ? "pass" : "warn",
      detail: `roles = ${JSON.stringify(roles)} (no --app-role given)`,
      ...(roles.length > 0
        ? {}
        : {
            fix: "No app role in the token: assign the identity the federation app's role (appRoleAssignmentRequired should be true).",
          }),
    };
  }
  if (roles.includes(expect.appRole)) {
    return { status: "pass", detail: `roles contains ${expect.appRole}` };
  }
  return {
    status: "fail",
    detail: `roles = ${JSON.stringify(roles)}, expected ${expect.appRole}`,
    fix: "Assign the identity the app role (azuread.AppRoleAssignment with its principalId). Managed identity tokens are cached up to 24 h, so a new assignment can take that long to appear.",
  };
}

function expiry({ claims, nowSeconds }: ClaimContext): CheckOutcome {
  const { exp, iat, nbf } = claims;
  if (typeof exp !== "number") {
    return {
      status: "fail",
      detail: "no numeric exp claim",
      fix: "This is not an Entra access token.",
    };
  }
  if (exp + CLOCK_SKEW_SECONDS <= nowSeconds) {
    return {
      status: "fail",
      detail: `expired at ${new Date(exp * 1000).toISOString()} (${nowSeconds - exp} s ago)`,
      fix: "Get a new token (a passed --token may be stale), and check this machine's clock.",
    };
  }
  if (
    (typeof iat === "number" && iat - CLOCK_SKEW_SECONDS > nowSeconds) ||
    (typeof nbf === "number" && nbf - CLOCK_SKEW_SECONDS > nowSeconds)
  ) {
    const issued = typeof iat === "number" ? iat : (nbf as number);
    return {
      status: "fail",
      detail: `issued ${issued - nowSeconds} s in the future of this machine's clock`,
      fix: "This machine's clock is behind: enable NTP time sync.",
    };
  }
  const warn = exp <= nowSeconds;
  return {
    status: warn ? "warn" : "pass",
    detail: `expires ${new Date(exp * 1000).toISOString()} (in ${exp - nowSeconds} s)`,
    ...(warn ? { fix: "Expired, but within IAM's 5 minutes of skew: get a new token." } : {}),
  };
}

/** The checks, in STS order. */
export const CLAIM_CHECKS: readonly ClaimCheck[] = [
  {
    id: "version",
    title: "Token version is 1.0",
    check: ({ claims }) =>
      claims.ver === "1.0"
        ? { status: "pass", detail: "ver = 1.0" }
        : {
            status: "fail",
            detail: `ver = ${JSON.stringify(claims.ver)}`,
            fix: "Set the federation app's api.requestedAccessTokenVersion = 1. A v2 token's issuer matches no IAM provider and STS checks azp instead of aud.",
          },
  },
  { id: "issuer", title: (cloud) => `Issuer is ${v1IssuerPattern(cloud)}`, check: issuer },
  { id: "audience", title: "aud equals the audience", check: audience },
  { id: "subject", title: "sub is the expected principal", check: subject },
  { id: "app-role", title: "The app role is in roles", check: appRole },
  { id: "expiry", title: "Token is not expired and the clock is in sync", check: expiry },
  {
    // Informational: reported only when it fails.
    id: "algorithm",
    title: "Signed with RS256",
    check: ({ header }) =>
      header.alg === "RS256"
        ? undefined
        : {
            status: "fail",
            detail: `alg = ${JSON.stringify(header.alg)}`,
            fix: "Entra access tokens are RS256; this token is not one.",
          },
  },
];

export const titleOf = (check: ClaimCheck, cloud: EntraCloud): string =>
  typeof check.title === "string" ? check.title : check.title(cloud);

export const cloudOf = (expect: ClaimExpectations): EntraCloud =>
  expect.cloud ?? entraCloud(DEFAULT_ENTRA_CLOUD);

/** Every check's result, each independent. `doctor` stops at the first failure. */
export function checkClaims(
  claims: JwtClaims,
  header: Record<string, unknown>,
  expect: ClaimExpectations,
  nowSeconds: number,
): CheckResult[] {
  const tid = expect.tenantId ?? (typeof claims.tid === "string" ? claims.tid : undefined);
  const context: ClaimContext = {
    claims,
    header,
    expect,
    cloud: cloudOf(expect),
    tid,
    tenantFromToken: expect.tenantId === undefined && tid !== undefined,
    nowSeconds,
  };
  return CLAIM_CHECKS.flatMap((c) => {
    const outcome = c.check(context);
    return outcome ? [{ id: c.id, title: titleOf(c, context.cloud), ...outcome }] : [];
  });
}
