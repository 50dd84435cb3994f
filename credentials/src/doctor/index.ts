/**
 * `doctor`: gets (or takes) a token, runs the claim checks (claims.ts) in the order AWS STS
 * applies them, then calls STS and maps its error to a cause and a fix. Stops at the first
 * failure. The token is decoded without being trusted; it is never printed.
 */
import type { EntraAwsCredentialsError } from "../errors";
import { decodeJwtUnverified, JwtDecodeError } from "../jwt";
import { redact } from "../redact";
import { stsErrorCode } from "../sts/classify";
import { explainStsError, type StsEndpointContext } from "../sts/explanations";
import {
  CLAIM_CHECKS,
  checkClaims,
  cloudOf,
  titleOf,
  type CheckResult,
  type CheckStatus,
  type ClaimExpectations,
} from "./claims";

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

/** The steps around the claim checks. */
const STEP_TITLES = {
  token: "Obtained an Entra token",
  decode: "Token is a JWT",
  sts: "AWS STS AssumeRoleWithWebIdentity",
} as const;

/** Runs the checks in order and stops at the first failure (later checks are reported skipped). */
export async function runDoctor(
  expect: ClaimExpectations,
  deps: DoctorDeps,
): Promise<DoctorReport> {
  const cloud = cloudOf(expect);
  const titles = new Map<string, string>([
    ["token", STEP_TITLES.token],
    ["decode", STEP_TITLES.decode],
    ...CLAIM_CHECKS.map((c): [string, string] => [c.id, titleOf(c, cloud)]),
    ["sts", STEP_TITLES.sts],
  ]);
  const checks: CheckResult[] = [];
  const step = (id: keyof typeof STEP_TITLES, result: Omit<CheckResult, "id" | "title">): void => {
    checks.push({ id, title: STEP_TITLES[id], ...result });
  };
  const finish = (ok: boolean, remaining: string[]): DoctorReport => {
    for (const id of remaining) {
      checks.push({
        id,
        title: titles.get(id) ?? id,
        status: "skip",
        detail: "skipped after a failure",
      });
    }
    return { ok, checks };
  };
  const allIds = [...titles.keys()];

  let token = deps.token;
  if (token === undefined) {
    try {
      token = await deps.getToken!();
      step("token", { status: "pass", detail: "got a token" });
    } catch (error) {
      const e = error as EntraAwsCredentialsError;
      step("token", {
        status: "fail",
        detail: e.message.split("\nLikely causes:")[0] ?? String(error),
        fix: (e.causes ?? []).join(" "),
      });
      return finish(false, allIds.slice(1));
    }
  } else {
    step("token", { status: "pass", detail: "token given" });
  }

  let decoded;
  try {
    decoded = decodeJwtUnverified(token);
    step("decode", { status: "pass", detail: "decoded (not verified)" });
  } catch (error) {
    step("decode", {
      status: "fail",
      detail: error instanceof JwtDecodeError ? error.message : "could not decode",
      fix: "Pass an Entra access token (three base64url parts).",
    });
    return finish(false, allIds.slice(2));
  }

  const claimChecks = checkClaims(decoded.claims, decoded.header, expect, deps.nowSeconds);
  for (const [index, result] of claimChecks.entries()) {
    checks.push(result);
    if (result.status === "fail") {
      return finish(false, [...claimChecks.slice(index + 1).map((c) => c.id), "sts"]);
    }
  }

  if (!deps.assumeRole) {
    step("sts", { status: "skip", detail: "--no-sts given" });
    return { ok: true, checks };
  }
  try {
    const result = await deps.assumeRole(token);
    step("sts", {
      status: "pass",
      detail: `assumed ${result.assumedRoleArn ?? "the role"}; credentials expire ${result.expiration.toISOString()}`,
    });
    return { ok: true, checks };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const code = (error as EntraAwsCredentialsError).code ?? stsErrorCode(cause);
    const stsMessage = redact(cause instanceof Error ? cause.message : String(cause), [token]);
    const explanation = explainStsError(code, stsMessage, deps.stsWhere?.(), cloud);
    step("sts", {
      status: "fail",
      detail: `${code ?? "error"}: ${stsMessage.split("\n")[0]} — ${explanation.summary}`,
      fix: explanation.causes.join(" "),
    });
    return { ok: false, checks };
  }
}

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
