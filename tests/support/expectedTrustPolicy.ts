/**
 * The trust policy the tests expect on a federated role, written out as IAM stores it (not built
 * by lib/trustPolicy.ts, which is what they check): `aud` and `sub` pinned with StringEquals.
 *
 * @param issuer The issuer's host and path as the condition keys carry it, trailing slash included.
 */
export function expectedTrustPolicy(
  federated: string,
  issuer: string,
  audience: string,
  subjects: string[],
) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: federated },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:aud`]: audience,
            [`${issuer}:sub`]: subjects,
          },
        },
      },
    ],
  };
}
