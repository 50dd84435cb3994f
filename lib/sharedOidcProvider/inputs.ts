import { ACCOUNT_ID, REGION, ROLE_ARN } from "../awsNames";
import { MAX_THUMBPRINTS } from "../thumbprints";

/**
 * The dynamic resource's inputs. They are stored in the stack's state in clear text, so they hold
 * nothing secret: credentials come from the default chain or an assumed role at run time.
 */
export interface SharedOidcProviderInputs {
  /** The Entra v1 token issuer (credentials/src/entraCloud.ts): the provider's URL. */
  readonly issuerUrl: string;
  /** This stack's audience (App ID URI): the one client ID this resource adds and removes. */
  readonly audience: string;
  /** The account the provider belongs to; the credentials must resolve to it. */
  readonly accountId: string;
  /** Region of the STS calls (AssumeRole, GetCallerIdentity); IAM itself is global. */
  readonly region: string;
  /** Role that reaches the account, as the account's aws.Provider assumes it. */
  readonly assumeRoleArn?: string;
  /**
   * Thumbprints for a provider this resource creates. Empty: none given, AWS verifies the JWKS
   * host against its trusted root CAs. A provider that exists keeps its own: other stacks use it.
   */
  readonly thumbprints: readonly string[];
}

export interface SharedOidcProviderOutputs extends SharedOidcProviderInputs {
  readonly arn: string;
  /** The provider's URL (the issuer). */
  readonly url: string;
  /** This resource created the provider, so its delete deletes it once no audience is left. */
  readonly createdByThisStack: boolean;
  /** The provider listed `audience` when last read; false after a refresh found it removed. */
  readonly audienceRegistered: boolean;
}

/** A problem with one input, in the shape of pulumi.dynamic.CheckFailure. */
export interface InputFailure {
  readonly property: string;
  readonly reason: string;
}

/**
 * The engine's placeholder for a value not known yet (preview): the `unknownValue` constant in
 * @pulumi/pulumi runtime/rpc.js. Copied, not imported: the provider's code is serialized and
 * @pulumi/pulumi is a deployment-only module that must not be captured.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Checks the inputs before anything is called, so a bad value fails with the input's name, the
 * value and what is allowed, and nothing in AWS is touched. Values not known yet pass.
 */
export function checkInputs(inputs: SharedOidcProviderInputs): InputFailure[] {
  const failures: InputFailure[] = [];
  const fail = (property: string, value: unknown, allowed: string): void => {
    failures.push({ property, reason: `${property} ${JSON.stringify(value)} ${allowed}` });
  };
  const known = (value: unknown): boolean => value !== UNKNOWN;

  const { issuerUrl, audience, accountId, region, assumeRoleArn, thumbprints } = inputs;
  if (known(issuerUrl) && !isIssuerUrl(issuerUrl)) {
    fail(
      "issuerUrl",
      issuerUrl,
      "must be the token issuer as an https:// URL in normal form, without port, query or fragment (the Entra v1 issuer, https://<issuer host>/<tenantId>/)",
    );
  }
  // IAM's ClientID length constraint (API_AddClientIDToOpenIDConnectProvider: 1 to 255).
  if (known(audience) && (typeof audience !== "string" || !/^.{1,255}$/su.test(audience))) {
    fail("audience", audience, "must be 1 to 255 characters (IAM's client ID limit)");
  }
  if (known(accountId) && !ACCOUNT_ID.test(accountId)) {
    fail("accountId", accountId, "must be a 12-digit AWS account id");
  }
  if (known(region) && !REGION.test(region)) {
    fail("region", region, "must be an AWS region name such as eu-west-1");
  }
  if (assumeRoleArn !== undefined && known(assumeRoleArn)) {
    const roleAccount = ROLE_ARN.exec(assumeRoleArn)?.[1];
    if (roleAccount === undefined) {
      fail(
        "assumeRoleArn",
        assumeRoleArn,
        "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
      );
    } else if (ACCOUNT_ID.test(accountId) && roleAccount !== accountId) {
      fail(
        "assumeRoleArn",
        assumeRoleArn,
        `is a role in account ${roleAccount}, not accountId ${accountId}`,
      );
    }
  }
  if (known(thumbprints)) {
    const bad = thumbprints.filter((t) => known(t) && !/^[0-9a-f]{40}$/.test(t));
    if (thumbprints.length > MAX_THUMBPRINTS) {
      fail("thumbprints", thumbprints, `lists more than ${MAX_THUMBPRINTS} (IAM's limit)`);
    } else if (bad.length > 0) {
      fail("thumbprints", bad, "must be 40 lower-case hex characters each (a certificate's SHA-1)");
    }
  }
  return failures;
}

/** `https://host/path` exactly as the URL parser normalizes it, with nothing after the path. */
function isIssuerUrl(value: unknown): value is string {
  if (typeof value !== "string" || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    url.protocol === "https:" &&
    url.port === "" &&
    url.search === "" &&
    url.hash === "" &&
    url.username === "" &&
    url.password === "" &&
    url.href === value
  );
}
