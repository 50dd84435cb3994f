import { ExitCode, type ExitCodeValue } from "./exitCodes";

export type ErrorKind =
  | "usage"
  | "refused"
  | "invalid-config"
  | "passphrase-missing"
  | "cli-missing"
  | "stack-not-found"
  | "concurrent-update"
  | "policy-violation"
  | "drift"
  | "unexpected-changes"
  | "cancelled"
  | "killed"
  | "auth"
  | "resource"
  | "timeout"
  | "failed";

/** An error the driver raises itself, with its exit code already decided. */
export class DriverError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    readonly kind: ErrorKind,
  ) {
    super(message);
    this.name = "DriverError";
  }
}

export const installHint =
  "install it with `curl -fsSL https://get.pulumi.com | sh` (or see https://www.pulumi.com/docs/install/; in GitHub Actions: pulumi/actions) and make sure `pulumi` is on PATH";

export class CliMissingError extends DriverError {
  constructor(detail?: string) {
    super(
      detail
        ? `the Pulumi CLI is not usable (${detail}); ${installHint}`
        : `the Pulumi CLI was not found; ${installHint}`,
      ExitCode.Failure,
      "cli-missing",
    );
    this.name = "CliMissingError";
  }
}

export interface Classified {
  exitCode: ExitCodeValue;
  kind: ErrorKind;
  /**
   * Short, human-readable; built from the CLI's `error:` lines (which the CLI secret-masks). One
   * line, except for a configuration error: "Invalid configuration:" and one indented line per
   * problem.
   */
  message: string;
}

interface CommandResultLike {
  stdout?: unknown;
  stderr?: unknown;
  code?: unknown;
  /** The execa error (execa 5: exitCode, code, signal, signalDescription, command). */
  err?:
    | {
        exitCode?: unknown;
        code?: unknown;
        message?: unknown;
        signal?: unknown;
        signalDescription?: unknown;
        command?: unknown;
      }
    | undefined;
}

/** The private `commandResult` of the Automation API's CommandError, read defensively. */
function commandResultOf(err: unknown): CommandResultLike | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const result = (err as { commandResult?: unknown }).commandResult;
  return typeof result === "object" && result !== null ? result : undefined;
}

/** The Pulumi CLI's own exit code, when the error came from running it. */
export function cliExitCode(err: unknown): number | undefined {
  const result = commandResultOf(err);
  const fromExeca = result?.err?.exitCode;
  if (typeof fromExeca === "number") return fromExeca;
  const text = `${typeof result?.stderr === "string" ? result.stderr : ""}\n${errorText(err)}`;
  const match = /Command failed with exit code (\d+)/.exec(text);
  if (match?.[1] !== undefined) return Number(match[1]);
  if (typeof result?.code === "number" && result.code > 0) return result.code;
  return undefined;
}

/**
 * The signal that ended the Pulumi CLI, when one did: the SDK then has no exit code (it reports
 * `code: -2`), only execa's `signal`. With the command words it was running ("up", "stack select").
 */
export function cliKilledBy(
  err: unknown,
): { signal: string; description?: string; command?: string } | undefined {
  const execa = commandResultOf(err)?.err;
  if (typeof execa?.signal !== "string") return undefined;
  const args = typeof execa.command === "string" ? execa.command.split(" ").slice(1) : [];
  const firstFlag = args.findIndex((a) => a.startsWith("-"));
  const words = (firstFlag === -1 ? args : args.slice(0, firstFlag)).slice(0, 2);
  return {
    signal: execa.signal,
    ...(typeof execa.signalDescription === "string"
      ? { description: execa.signalDescription }
      : {}),
    ...(words.length > 0 ? { command: words.join(" ") } : {}),
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : "";
}

/** All text the CLI produced for this error (stderr, stdout and the wrapper message). */
function fullText(err: unknown): string {
  const result = commandResultOf(err);
  const parts = [errorText(err)];
  if (typeof result?.stderr === "string") parts.push(result.stderr);
  if (typeof result?.stdout === "string") parts.push(result.stdout);
  return parts.join("\n");
}

/** Whether spawning `pulumi` failed because the binary does not exist. */
export function isCliNotFound(err: unknown): boolean {
  const result = commandResultOf(err);
  if (result?.err?.code === "ENOENT") return true;
  return /spawn \S*pulumi\S* ENOENT|Command failed with ENOENT/.test(errorText(err));
}

/** The CLI's `error:` lines, or the first line of the message, as a short summary. */
export function summarizeCliError(err: unknown): string {
  const text = fullText(err);
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^error:/i.test(l))
    .map((l) => l.replace(/^error:\s*/i, ""));
  const unique = [...new Set(lines)].filter((l) => l.length > 0);
  if (unique.length > 0) return unique.slice(0, 3).join(" | ");
  const first = errorText(err)
    .split(/\r?\n/)
    .find((l) => l.trim().length > 0);
  return (first ?? String(err)).trim();
}

const INVALID_CONFIGURATION = "Invalid configuration:";

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * The program's configuration error (lib/config/ ConfigError: "Invalid configuration:" then one
 * indented line per problem) out of the CLI's output, wherever the CLI put it: `error: <message>`
 * for a RunError, the message after "failed with an unhandled exception:", indented under
 * "Diagnostics:". Returns the header and every problem line (re-indented by two spaces, as the
 * program wrote them), without stack frames; `undefined` when there is none.
 */
export function extractInvalidConfiguration(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => l.includes(INVALID_CONFIGURATION));
  const header = lines[at];
  if (header === undefined) return undefined;
  const base = indentOf(header);
  const problems: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === "" || indentOf(line) <= base || /^\s*at\s/.test(line)) break;
    problems.push(`  ${line.trim()}`);
  }
  return [header.slice(header.indexOf(INVALID_CONFIGURATION)).trimEnd(), ...problems].join("\n");
}

const policyPattern = /Policy Violations:|\[mandatory\]|mandatory policy violation/i;
const noChangesPattern = /no changes were expected/i;
const cancelledPattern = /\b(update|refresh|destroy|preview) (cancelled|canceled)\b/i;
const missingConfigPattern = /Missing required configuration|missing configuration value/i;
const passphrasePattern = /passphrase must be set|incorrect passphrase|PULUMI_CONFIG_PASSPHRASE/i;

/**
 * Maps any error from the Automation API (or the driver itself) to an exit code.
 * `cancelled` is true when this process received SIGINT/SIGTERM: whatever the CLI then reports,
 * the result is "cancelled".
 */
export function classifyError(
  err: unknown,
  context: { cancelled: boolean; stack: string; drift?: boolean },
): Classified {
  if (context.cancelled) {
    return {
      exitCode: ExitCode.Cancelled,
      kind: "cancelled",
      message:
        "cancelled by signal; the Pulumi CLI was interrupted and stopped the operation. Run `refresh` if resources were being changed",
    };
  }
  if (err instanceof DriverError) {
    return { exitCode: err.exitCode, kind: err.kind, message: err.message };
  }
  if (isCliNotFound(err)) {
    const e = new CliMissingError();
    return { exitCode: e.exitCode, kind: e.kind, message: e.message };
  }
  const killed = cliKilledBy(err);
  if (killed) {
    return {
      exitCode: ExitCode.Failure,
      kind: "killed",
      message:
        `the Pulumi CLI was killed by signal ${killed.signal}${killed.description ? ` (${killed.description})` : ""}` +
        `${killed.command ? ` during \`${killed.command}\`` : ""}: another process or the system (out of memory?) ended it, so it could not report the result. ` +
        `The stack may be left locked with pending operations: run \`refresh\` (and \`pulumi cancel --stack ${context.stack} --yes\` if it stays locked)`,
    };
  }
  const name = err instanceof Error ? err.name : "";
  if (name === "StackNotFoundError") {
    return {
      exitCode: ExitCode.StackNotFound,
      kind: "stack-not-found",
      message: `stack '${context.stack}' was not found in the backend; pass --create to create it`,
    };
  }
  if (name === "ConcurrentUpdateError") {
    return {
      exitCode: ExitCode.Failure,
      kind: "concurrent-update",
      message: `stack '${context.stack}' is locked: another update is running on it. Wait for it to finish and retry. If nothing is running (a killed job left its lock), clear the lock with \`pulumi cancel --stack ${context.stack} --yes\``,
    };
  }

  const text = fullText(err);
  const code = cliExitCode(err);
  const summary = summarizeCliError(err);

  // A specific exit code (CLIs from the minimum version in docs/pipelines.md) is the answer; the
  // text is read only where the code says nothing more than "failed" (older CLIs exit 1 or 255
  // for almost everything).
  const generic = code === undefined || code === ExitCode.Failure || code === 255;
  // The program's own configuration error, whatever code the CLI gave the failed program.
  const invalid = extractInvalidConfiguration(text);
  if (invalid !== undefined) {
    return { exitCode: ExitCode.InvalidConfig, kind: "invalid-config", message: invalid };
  }
  if (code === ExitCode.PolicyViolation || (generic && policyPattern.test(text))) {
    return {
      exitCode: ExitCode.PolicyViolation,
      kind: "policy-violation",
      message: `a policy pack blocked the operation: ${summary}`,
    };
  }
  if (code === ExitCode.Drift || (generic && noChangesPattern.test(text))) {
    return context.drift
      ? {
          exitCode: ExitCode.Drift,
          kind: "drift",
          message:
            "drift: the real infrastructure differs from the state (run `refresh` to accept it or `up` to restore the program's values)",
        }
      : {
          exitCode: ExitCode.Drift,
          kind: "unexpected-changes",
          message: `changes were proposed but --expect-no-changes was given: ${summary}`,
        };
  }
  if (code === ExitCode.Cancelled || (generic && cancelledPattern.test(text))) {
    return { exitCode: ExitCode.Cancelled, kind: "cancelled", message: summary };
  }
  if (code === ExitCode.StackNotFound) {
    return { exitCode: ExitCode.StackNotFound, kind: "stack-not-found", message: summary };
  }
  if (
    (generic || code === ExitCode.InvalidConfig) &&
    passphrasePattern.test(text) &&
    /passphrase/i.test(summary)
  ) {
    return {
      exitCode: ExitCode.InvalidConfig,
      kind: "passphrase-missing",
      message: `${summary} (set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE)`,
    };
  }
  if (code === ExitCode.InvalidConfig || (generic && missingConfigPattern.test(text))) {
    return { exitCode: ExitCode.InvalidConfig, kind: "invalid-config", message: summary };
  }
  if (code === ExitCode.Auth) return { exitCode: ExitCode.Auth, kind: "auth", message: summary };
  if (code === ExitCode.ResourceError) {
    return { exitCode: ExitCode.ResourceError, kind: "resource", message: summary };
  }
  if (code === ExitCode.Timeout) {
    return { exitCode: ExitCode.Timeout, kind: "timeout", message: summary };
  }
  // 1, 255 (internal CLI error), -2 (no exit code) and anything undocumented: generic failure.
  return { exitCode: ExitCode.Failure, kind: "failed", message: summary };
}
