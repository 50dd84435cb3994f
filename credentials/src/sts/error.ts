import type { EntraCloud } from "../entraCloud";
import { EntraAwsCredentialsError, type Explanation } from "../errors";
import { classifyStsError, httpStatus, stsErrorCode } from "./classify";
import { explainStsError, type StsEndpointContext } from "./explanations";

/** What the caller knows about a failed AssumeRoleWithWebIdentity call beyond the error. */
export interface StsErrorContext {
  /** Values to keep out of the message, e.g. the token sent to STS. */
  secrets?: readonly (string | undefined)[];
  /** When the caller knows more than the error code tells. */
  explanation?: Explanation;
  /** The endpoint used. */
  where?: StsEndpointContext;
  /** Whose issuer the explanation names. */
  cloud?: EntraCloud;
}

/** The explained error for a failed AssumeRoleWithWebIdentity call. */
export function stsError(
  error: unknown,
  roleArn: string,
  context: StsErrorContext = {},
): EntraAwsCredentialsError {
  const code = stsErrorCode(error);
  const stsMessage = error instanceof Error ? error.message : String(error);
  const explanation =
    context.explanation ?? explainStsError(code, stsMessage, context.where, context.cloud);
  const decision = classifyStsError(code, httpStatus(error));
  return new EntraAwsCredentialsError({
    source: "sts",
    code,
    retryable: decision === "retry",
    message: `AssumeRoleWithWebIdentity for ${roleArn} failed: ${code ?? "error"}: ${stsMessage}\n${explanation.summary}`,
    causes: explanation.causes,
    cause: error,
    ...(context.secrets ? { secrets: context.secrets } : {}),
  });
}
