import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { StandardRetryStrategy } from "@smithy/core/retry";

/**
 * Attempts per IAM call. The SDK's standard strategy backs off with full jitter, up to 1 s × 2^n
 * (capped at 20 s) after throttling (@smithy/core retry: DefaultRetryBackoffStrategy,
 * Retry.throttlingDelay), so eight attempts wait about half a minute on average before giving up.
 */
export const IAM_MAX_ATTEMPTS = 8;

/** Session name of the assumed role, so CloudTrail shows who changed the provider. */
export const ROLE_SESSION_NAME = "entra-aws-federation-oidc";

export interface AwsClients {
  readonly iam: IAMClient;
  readonly sts: STSClient;
}

/**
 * IAM and STS clients as the account's aws.Provider reaches the account: the region, the default
 * credential chain, and the role to assume when there is one. Endpoints come from the SDK's own
 * settings, which tests point at loopback: AWS_ENDPOINT_URL_<service id> (IAM, STS), then
 * AWS_ENDPOINT_URL, then a profile's endpoint_url, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
 * (@smithy/core endpoints: getEndpointUrlConfig.js, getEndpointFromConfig.js). A deployment sets
 * none of them unless it means to: they are the AWS CLI's settings too.
 */
export function awsClients(settings: { region: string; assumeRoleArn?: string }): AwsClients {
  const credentials =
    settings.assumeRoleArn === undefined
      ? {}
      : {
          credentials: fromTemporaryCredentials({
            params: { RoleArn: settings.assumeRoleArn, RoleSessionName: ROLE_SESSION_NAME },
            clientConfig: { region: settings.region },
          }),
        };
  return {
    iam: new IAMClient({
      region: settings.region,
      ...credentials,
      retryStrategy: iamRetryStrategy(),
    }),
    sts: new STSClient({ region: settings.region, ...credentials }),
  };
}

type RetryToken = Parameters<StandardRetryStrategy["recordSuccess"]>[0];
type RetryErrorInfo = Parameters<StandardRetryStrategy["refreshRetryTokenForRetry"]>[1];

/**
 * The SDK's standard retry strategy with IAM's two exceptions. The SDK counts every error named
 * LimitExceededException as throttling (service-error-classification THROTTLING_ERROR_CODES), but
 * IAM's LimitExceeded is a hard quota (100 client IDs per provider) that no retry fixes.
 * ConcurrentModification is IAM's "submitted simultaneously, submit again" (409), which two
 * stacks changing one provider's client IDs cause: retried like throttling. Every call retried
 * here is idempotent (adding or removing a client ID, reads), or handled by the caller when it is
 * not (a create that already happened answers EntityAlreadyExists).
 */
function iamRetryStrategy() {
  const standard = new StandardRetryStrategy(IAM_MAX_ATTEMPTS);
  return {
    mode: standard.mode,
    acquireInitialRetryToken: (scope: string) => standard.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: (token: RetryToken, info: RetryErrorInfo) => {
      const name = (info.error as { name?: string } | undefined)?.name;
      if (name === "LimitExceededException") {
        // Refusing the retry token ends the retries; the retry middleware then throws IAM's error.
        return Promise.reject(new Error("LimitExceeded is a quota, not throttling"));
      }
      const classified: RetryErrorInfo =
        name === "ConcurrentModificationException" ? { ...info, errorType: "THROTTLING" } : info;
      return standard.refreshRetryTokenForRetry(token, classified);
    },
    recordSuccess: (token: RetryToken) => standard.recordSuccess(token),
  };
}
