/**
 * The shapes of AWS names that both the configuration (lib/config/schema.ts) and the shared OIDC
 * provider's own input check (lib/sharedOidcProvider/inputs.ts) accept. Dependency-free: the
 * provider's code is serialized with what it captures.
 */
/** aws, aws-cn, aws-us-gov, …: a partition's name as an ARN carries it. */
export const PARTITION = "aws(?:-[a-z]+)*";
export const ACCOUNT_ID = /^\d{12}$/;
/** An AWS region name such as eu-west-1. */
export const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
/** IAM role ARN (path and name as IAM allows them); the account is its first group. */
export const ROLE_ARN = new RegExp(
  `^arn:${PARTITION}:iam::(\\d{12}):role/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$`,
);
