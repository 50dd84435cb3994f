import type * as aws from "@pulumi/aws";

/*
 * The AWS side only: IAM's view of a token issuer (provider ARN, condition keys), the trust policy
 * and its size. Which issuer Entra uses per cloud is lib/entra.ts's; everything here takes the
 * issuer URL as given, so it follows whatever cloud the program deploys for.
 */

/** The issuer URL without its scheme: the provider's name in ARNs and the prefix of condition keys. */
export function issuerHostPath(issuerUrl: string): string {
  if (!issuerUrl.startsWith("https://")) {
    throw new Error(`issuer URL must start with https://, got ${JSON.stringify(issuerUrl)}`);
  }
  return issuerUrl.slice("https://".length);
}

/** IAM condition keys for the token's `aud` and `sub` claims, derived from the issuer URL. */
export function conditionKeys(issuerUrl: string): { aud: string; sub: string } {
  const prefix = issuerHostPath(issuerUrl);
  return { aud: `${prefix}:aud`, sub: `${prefix}:sub` };
}

/** `arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>`. */
export function oidcProviderArn(partition: string, accountId: string, issuerUrl: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuerHostPath(issuerUrl)}`;
}

export interface TrustPolicyInput {
  /** ARN of the IAM OIDC provider for the issuer. */
  readonly providerArn: string;
  /** Token issuer URL; the condition keys are derived from it. */
  readonly issuerUrl: string;
  /** The single audience (App ID URI) the role accepts. */
  readonly audience: string;
  /** Service principal object ids (the token's `sub`) allowed to assume the role. */
  readonly subjects: readonly string[];
}

/**
 * The role's trust policy: only tokens for exactly this audience and exactly these subjects.
 * `StringEquals` on both keys; never `StringLike` or `ForAllValues:`, which match wildcards or a
 * missing key.
 */
export function buildTrustPolicy(input: TrustPolicyInput): aws.iam.PolicyDocument {
  if (input.subjects.length === 0) {
    throw new Error("a trust policy needs at least one subject");
  }
  const keys = conditionKeys(input.issuerUrl);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: input.providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [keys.aud]: input.audience,
            [keys.sub]: [...input.subjects],
          },
        },
      },
    ],
  };
}

/** IAM: at most 100 client IDs (audiences) per OIDC provider (CreateOpenIDConnectProvider). */
export const MAX_CLIENT_IDS = 100;

/** IAM's trust policy quota can be raised from 2,048 to at most 4,096 characters. */
export const MAX_TRUST_POLICY_LENGTH = 4096;

/** Policy size as IAM counts it against its quotas: JSON characters, whitespace not counted. */
export function policyLength(document: unknown): number {
  return JSON.stringify(document).replace(/\s/g, "").length;
}

/**
 * How many subjects fit in a trust policy of at most `maxLength` characters, given everything else
 * in it. Every subject id is a 36-character GUID, so the length grows linearly with the count.
 */
export function subjectsThatFit(
  base: Omit<TrustPolicyInput, "subjects">,
  maxLength: number,
): number {
  const sample = "00000000-0000-0000-0000-000000000000";
  const one = policyLength(buildTrustPolicy({ ...base, subjects: [sample] }));
  const perSubject = policyLength(buildTrustPolicy({ ...base, subjects: [sample, sample] })) - one;
  return one > maxLength ? 0 : 1 + Math.floor((maxLength - one) / perSubject);
}

export function trustPolicyTooLongMessage(length: number, max: number, fit: number): string {
  const raise =
    max < MAX_TRUST_POLICY_LENGTH
      ? ` or raise trustPolicyMaxLength (up to ${MAX_TRUST_POLICY_LENGTH}, after an IAM quota increase)`
      : "";
  return `makes a trust policy of ${length} characters, over the limit of ${max} (whitespace not counted); at most ${fit} subjects fit: split the identities across roles${raise}`;
}
