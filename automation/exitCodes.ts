/**
 * Exit codes of the pipeline driver. They follow the Pulumi CLI's documented exit codes
 * (https://www.pulumi.com/docs/iac/cli/exit-codes/; the minimum CLI version that returns them is
 * stated once, in docs/pipelines.md "Minimum Pulumi CLI version"), so a pipeline can treat
 * `npm run deploy -- ...` and `pulumi ...` the same way.
 */
export const ExitCode = {
  /** The command completed successfully (for `drift`: no drift). */
  Ok: 0,
  /** A failure that fits no more specific category (also: a locked stack, a missing Pulumi CLI). */
  Failure: 1,
  /** Invalid arguments or configuration, a missing passphrase, a refused `destroy`. */
  InvalidConfig: 2,
  /** Passed through from the CLI: authentication or authorization failed. */
  Auth: 3,
  /** Passed through from the CLI: a resource operation failed. */
  ResourceError: 4,
  /** A policy pack blocked the operation. */
  PolicyViolation: 5,
  /** The stack does not exist (and `--create` was not given), or no stack was named. */
  StackNotFound: 6,
  /** `drift` found differences, or `--expect-no-changes` saw changes (`up` has applied them). */
  Drift: 7,
  /** Cancelled by SIGINT/SIGTERM (or by `pulumi cancel`). */
  Cancelled: 8,
  /** Passed through from the CLI: an operation timed out. */
  Timeout: 9,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per exit code, for `--help`, the README and docs/pipelines.md. */
export const exitCodeTable: ReadonlyArray<readonly [ExitCodeValue, string]> = [
  [ExitCode.Ok, "success (drift: the infrastructure matches the state)"],
  [ExitCode.Failure, "failure (also: stack locked by another update, Pulumi CLI missing)"],
  [
    ExitCode.InvalidConfig,
    "invalid arguments or configuration ('Invalid configuration: ...'), missing passphrase, destroy refused",
  ],
  [ExitCode.Auth, "authentication/authorization error (passed through from the Pulumi CLI)"],
  [ExitCode.ResourceError, "resource operation failed (passed through from the Pulumi CLI)"],
  [ExitCode.PolicyViolation, "a policy pack blocked the preview/update"],
  [ExitCode.StackNotFound, "stack not found (pass --create to create it) or no stack named"],
  [
    ExitCode.Drift,
    "drift detected, or changes seen with --expect-no-changes (up: after applying them)",
  ],
  [ExitCode.Cancelled, "cancelled (SIGINT/SIGTERM)"],
  [ExitCode.Timeout, "operation timed out (passed through from the Pulumi CLI)"],
];
