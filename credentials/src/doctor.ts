/**
 * `doctor`: checks, in the order AWS STS applies them, every fact an Entra token must satisfy for
 * AssumeRoleWithWebIdentity, then calls STS and maps its error to a cause and a fix.
 * The token is decoded without being trusted; it is never printed.
 */
import { decodeJwtUnverified, JwtDecodeError, type JwtClaims } from "./jwt";
import {
  explainStsError,
  stsErrorCode,
  type EntraAwsCredentialsError,
  type StsEndpointContext,
} from "./errors";
import { redact } from "./redact";

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
}

/** IAM accepts tokens up to 5 minutes past `exp`, and we flag clocks more than 5 minutes off. */
export const CLOCK_SKEW_SECONDS = 300;

const v1Issuer = (tid: string): string => `https://sts.windows.net/${tid}/`;

/**
 * The claim checks, each independent, in STS order. Pure: `nowSeconds` is the local clock.
 * `doctor` stops at the first failure; this returns all of them.
 */
export function checkClaims(
  claims: JwtClaims,
  header: Record<string, unknown>,
  expect: ClaimExpectations,
  nowSeconds: number,
): CheckResult[] {
  const results: CheckResult[] = [];
  const tid = expect.tenantId ?? (typeof claims.tid === "string" ? claims.tid : undefined);
  // A tenant read from the token itself proves nothing about the federation's tenant.
  const tenantFromToken = expect.tenantId === undefined && tid !== undefined;

  // 1. Token version.
  if (claims.ver === "1.0") {
    results.push({
      id: "version",
      title: "Token version is 1.0",
      status: "pass",
      detail: "ver = 1.0",
    });
  } else {
    results.push({
      id: "version",
      title: "Token version is 1.0",
      status: "fail",
      detail: `ver = ${JSON.stringify(claims.ver)}`,
      fix: "Set the federation app's api.requestedAccessTokenVersion = 1. A v2 token's issuer matches no IAM provider and STS checks azp instead of aud.",
    });
  }

  // 2. Issuer.
  const iss = claims.iss;
  if (!tid) {
    results.push({
      id: "issuer",
      title: "Issuer is https://sts.windows.net/<tenantId>/",
      status: "fail",
      detail: `iss = ${JSON.stringify(iss)} and no tenant id (pass --tenant-id or AZURE_TENANT_ID)`,
      fix: "Pass the tenant id so the issuer can be checked.",
    });
  } else if (iss === v1Issuer(tid) && tenantFromToken) {
    results.push({
      id: "issuer",
      title: "Issuer is https://sts.windows.net/<tenantId>/",
      status: "warn",
      detail: `iss = ${iss}; tenant taken from the token, not verified: pass --tenant-id or AZURE_TENANT_ID`,
      fix: "Pass the federation's tenant id (stack output tenantId) so the issuer is checked against it, not against the token's own tid.",
    });
  } else if (iss === v1Issuer(tid)) {
    results.push({
      id: "issuer",
      title: "Issuer is https://sts.windows.net/<tenantId>/",
      status: "pass",
      detail: `iss = ${iss}`,
    });
  } else {
    let fix = `Expected ${v1Issuer(tid)} (with the trailing slash); the IAM OIDC provider URL must be exactly that.`;
    if (typeof iss === "string" && iss.startsWith("https://login.microsoftonline.com/")) {
      fix = `This is a v2.0 issuer: set api.requestedAccessTokenVersion = 1 on the federation app. ${fix}`;
    } else if (iss === v1Issuer(tid).slice(0, -1)) {
      fix = "The issuer lacks the trailing slash.";
    } else if (typeof iss === "string" && iss.startsWith("https://sts.windows.net/")) {
      fix = `The token is from another tenant than ${tid}: use the identity in the federation's tenant, or fix AZURE_TENANT_ID.`;
    }
    results.push({
      id: "issuer",
      title: "Issuer is https://sts.windows.net/<tenantId>/",
      status: "fail",
      detail: `iss = ${JSON.stringify(iss)}`,
      fix,
    });
  }

  // 3. Audience.
  const aud = claims.aud;
  const auds = Array.isArray(aud) ? aud : [aud];
  if (auds.includes(expect.audience) && auds.length === 1) {
    results.push({
      id: "audience",
      title: "aud equals the audience",
      status: "pass",
      detail: `aud = ${expect.audience}`,
    });
  } else {
    let fix = `Request the token for ${expect.audience} (scope ${expect.audience}/.default) and list exactly that string in the IAM OIDC provider's client IDs.`;
    if (typeof aud === "string" && expect.audience.endsWith(aud)) {
      fix = `The token was requested for the bare app id; request it for the App ID URI ${expect.audience}.`;
    }
    results.push({
      id: "audience",
      title: "aud equals the audience",
      status: "fail",
      detail: `aud = ${JSON.stringify(aud)}, expected ${JSON.stringify(expect.audience)}`,
      fix,
    });
  }

  // 4. Subject.
  const sub = claims.sub;
  if (expect.expectedSubject === undefined) {
    results.push({
      id: "subject",
      title: "sub is the expected principal",
      status: "warn",
      detail: `sub = ${JSON.stringify(sub)} (no --expected-subject given)`,
      fix: "The role's trust policy must list this sub: the identity's principalId (service principal object id).",
    });
  } else if (sub === expect.expectedSubject) {
    results.push({
      id: "subject",
      title: "sub is the expected principal",
      status: "pass",
      detail: `sub = ${sub}`,
    });
  } else {
    let fix =
      "sub is the identity's service principal object id (principalId): use that in the role's subjects, not the client id or the application object id.";
    if (expect.expectedSubject === claims.appid) {
      fix = `The expected subject ${expect.expectedSubject} is the client id (appid). ${fix}`;
    } else {
      fix = `The token comes from another identity than expected, or the expected subject is wrong. ${fix}`;
    }
    results.push({
      id: "subject",
      title: "sub is the expected principal",
      status: "fail",
      detail: `sub = ${JSON.stringify(sub)}, expected ${expect.expectedSubject}`,
      fix,
    });
  }

  // 5. App role.
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  if (expect.appRole === undefined) {
    results.push({
      id: "app-role",
      title: "The app role is in roles",
      status: roles.length > 0 ? "pass" : "warn",
      detail: `roles = ${JSON.stringify(roles)} (no --app-role given)`,
      ...(roles.length > 0
        ? {}
        : {
            fix: "No app role in the token: assign the identity the federation app's role (appRoleAssignmentRequired should be true).",
          }),
    });
  } else if (roles.includes(expect.appRole)) {
    results.push({
      id: "app-role",
      title: "The app role is in roles",
      status: "pass",
      detail: `roles contains ${expect.appRole}`,
    });
  } else {
    results.push({
      id: "app-role",
      title: "The app role is in roles",
      status: "fail",
      detail: `roles = ${JSON.stringify(roles)}, expected ${expect.appRole}`,
      fix: "Assign the identity the app role (azuread.AppRoleAssignment with its principalId). Managed identity tokens are cached up to 24 h, so a new assignment can take that long to appear.",
    });
  }

  // 6. Expiry and clock skew.
  const { exp, iat, nbf } = claims;
  if (typeof exp !== "number") {
    results.push({
      id: "expiry",
      title: "Token is not expired and the clock is in sync",
      status: "fail",
      detail: "no numeric exp claim",
      fix: "This is not an Entra access token.",
    });
  } else if (exp + CLOCK_SKEW_SECONDS <= nowSeconds) {
    results.push({
      id: "expiry",
      title: "Token is not expired and the clock is in sync",
      status: "fail",
      detail: `expired at ${new Date(exp * 1000).toISOString()} (${nowSeconds - exp} s ago)`,
      fix: "Get a new token (a passed --token may be stale), and check this machine's clock.",
    });
  } else if (
    (typeof iat === "number" && iat - CLOCK_SKEW_SECONDS > nowSeconds) ||
    (typeof nbf === "number" && nbf - CLOCK_SKEW_SECONDS > nowSeconds)
  ) {
    const issued = typeof iat === "number" ? iat : (nbf as number);
    results.push({
      id: "expiry",
      title: "Token is not expired and the clock is in sync",
      status: "fail",
      detail: `issued ${issued - nowSeconds} s in the future of this machine's clock`,
      fix: "This machine's clock is behind: enable NTP time sync.",
    });
  } else {
    const warn = exp <= nowSeconds;
    results.push({
      id: "expiry",
      title: "Token is not expired and the clock is in sync",
      status: warn ? "warn" : "pass",
      detail: `expires ${new Date(exp * 1000).toISOString()} (in ${exp - nowSeconds} s)`,
      ...(warn ? { fix: "Expired, but within IAM's 5 minutes of skew: get a new token." } : {}),
    });
  }

  // Informational: signing algorithm.
  if (header.alg !== "RS256") {
    results.push({
      id: "algorithm",
      title: "Signed with RS256",
      status: "fail",
      detail: `alg = ${JSON.stringify(header.alg)}`,
      fix: "Entra access tokens are RS256; this token is not one.",
    });
  }
  return results;
}

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

export interface DoctorDeps {
  /** Obtains a token (unless one is given). */
  getToken?: () => Promise<string>;
  token?: string;
  /** Calls AssumeRoleWithWebIdentity with the token; resolves to the credentials' expiration. */
  assumeRole?: (token: string) => Promise<{ expiration: Date; assumedRoleArn?: string }>;
  /** Where the STS request went, named when STS never answered. */
  stsWhere?: () => StsEndpointContext;
  nowSeconds: number;
}

const ORDER = ["version", "issuer", "audience", "subject", "app-role", "expiry", "algorithm"];

/** Runs the checks in order and stops at the first failure (later checks are reported skipped). */
export async function runDoctor(
  expect: ClaimExpectations,
  deps: DoctorDeps,
): Promise<DoctorReport> {
  const checks: CheckResult[] = [];
  const finish = (ok: boolean, remaining: string[]): DoctorReport => {
    for (const id of remaining) {
      checks.push({
        id,
        title: TITLES[id] ?? id,
        status: "skip",
        detail: "skipped after a failure",
      });
    }
    return { ok, checks };
  };
  const allIds = ["token", "decode", ...ORDER, "sts"];

  let token = deps.token;
  if (token === undefined) {
    try {
      token = await deps.getToken!();
      checks.push({ id: "token", title: TITLES.token!, status: "pass", detail: "got a token" });
    } catch (error) {
      const e = error as EntraAwsCredentialsError;
      checks.push({
        id: "token",
        title: TITLES.token!,
        status: "fail",
        detail: e.message.split("\nLikely causes:")[0] ?? String(error),
        fix: (e.causes ?? []).join(" "),
      });
      return finish(false, allIds.slice(1));
    }
  } else {
    checks.push({ id: "token", title: TITLES.token!, status: "pass", detail: "token given" });
  }

  let decoded;
  try {
    decoded = decodeJwtUnverified(token);
    checks.push({
      id: "decode",
      title: TITLES.decode!,
      status: "pass",
      detail: "decoded (not verified)",
    });
  } catch (error) {
    checks.push({
      id: "decode",
      title: TITLES.decode!,
      status: "fail",
      detail: error instanceof JwtDecodeError ? error.message : "could not decode",
      fix: "Pass an Entra access token (three base64url parts).",
    });
    return finish(false, allIds.slice(2));
  }

  const claimChecks = checkClaims(decoded.claims, decoded.header, expect, deps.nowSeconds);
  for (const id of ORDER) {
    const result = claimChecks.find((c) => c.id === id);
    if (!result) continue;
    checks.push(result);
    if (result.status === "fail") {
      return finish(false, [
        ...ORDER.slice(ORDER.indexOf(id) + 1).filter((x) => claimChecks.some((c) => c.id === x)),
        "sts",
      ]);
    }
  }

  if (!deps.assumeRole) {
    checks.push({ id: "sts", title: TITLES.sts!, status: "skip", detail: "--no-sts given" });
    return { ok: true, checks };
  }
  try {
    const result = await deps.assumeRole(token);
    checks.push({
      id: "sts",
      title: TITLES.sts!,
      status: "pass",
      detail: `assumed ${result.assumedRoleArn ?? "the role"}; credentials expire ${result.expiration.toISOString()}`,
    });
    return { ok: true, checks };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const code = (error as EntraAwsCredentialsError).code ?? stsErrorCode(cause);
    const stsMessage = redact(cause instanceof Error ? cause.message : String(cause), [token]);
    const explanation = explainStsError(code, stsMessage, deps.stsWhere?.());
    checks.push({
      id: "sts",
      title: TITLES.sts!,
      status: "fail",
      detail: `${code ?? "error"}: ${stsMessage.split("\n")[0]} — ${explanation.summary}`,
      fix: explanation.causes.join(" "),
    });
    return { ok: false, checks };
  }
}

export const TITLES: Record<string, string> = {
  token: "Obtained an Entra token",
  decode: "Token is a JWT",
  version: "Token version is 1.0",
  issuer: "Issuer is https://sts.windows.net/<tenantId>/",
  audience: "aud equals the audience",
  subject: "sub is the expected principal",
  "app-role": "The app role is in roles",
  expiry: "Token is not expired and the clock is in sync",
  algorithm: "Signed with RS256",
  sts: "AWS STS AssumeRoleWithWebIdentity",
};

const MARK: Record<CheckStatus, string> = {
  pass: "[ok]  ",
  fail: "[FAIL]",
  warn: "[warn]",
  skip: "[skip]",
};

export function formatReport(report: DoctorReport): string {
  const lines = report.checks.map((c) => {
    let line = `${MARK[c.status]} ${c.title}: ${c.detail}`;
    if (c.fix && (c.status === "fail" || c.status === "warn")) line += `\n         fix: ${c.fix}`;
    return line;
  });
  lines.push(report.ok ? "All checks passed." : "A check failed; see the fix above.");
  return `${lines.join("\n")}\n`;
}
