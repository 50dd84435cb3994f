import { redact } from "./redact";

/** What an error means here, and what to do about it. */
export interface Explanation {
  /** One line: what the error means here. */
  summary: string;
  /** The likely causes, most likely first, each with its fix. */
  causes: string[];
}

/** The error the helper surfaces: a clear message with the likely causes; never any secret. */
export class EntraAwsCredentialsError extends Error {
  override name = "EntraAwsCredentialsError";
  /** "sts" or "entra": which side failed. */
  readonly source: "sts" | "entra" | "config";
  /** The STS error code, when the failure came from STS. */
  readonly code: string | undefined;
  readonly retryable: boolean;
  readonly causes: string[];

  constructor(args: {
    source: "sts" | "entra" | "config";
    message: string;
    code?: string;
    retryable?: boolean;
    causes?: string[];
    cause?: unknown;
    /** Secret values known where the error is built, replaced in the message. */
    secrets?: readonly (string | undefined)[];
  }) {
    const causes = args.causes ?? [];
    const text =
      causes.length > 0
        ? `${args.message}\nLikely causes:\n${causes.map((c) => `  - ${c}`).join("\n")}`
        : args.message;
    super(redact(text, args.secrets), args.cause === undefined ? undefined : { cause: args.cause });
    this.source = args.source;
    this.code = args.code;
    this.retryable = args.retryable ?? false;
    this.causes = causes;
  }
}
