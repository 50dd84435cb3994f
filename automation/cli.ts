/**
 * Entry point of `npm run deploy -- <command> --stack <name> [options]`.
 * Wires process arguments, environment, signals, stdout and stderr to the driver.
 */
import * as path from "node:path";
import { helpText, parseCommandLine } from "./args";
import { runDriver, type DriverDeps } from "./driver";
import { ExitCode } from "./exitCodes";
import { openPulumiBackend } from "./pulumiWorkspace";

/** The repository root (this file lives in `<repo>/automation`). */
export const repoRoot = path.resolve(__dirname, "..");

/** Environment values that must never appear in a log. */
const secretEnvNames = [
  "PULUMI_CONFIG_PASSPHRASE",
  "PULUMI_ACCESS_TOKEN",
  "AZURE_STORAGE_KEY",
  "AZURE_STORAGE_SAS_TOKEN",
  "AZURE_CLIENT_SECRET",
  "ARM_CLIENT_SECRET",
  "ARM_OIDC_TOKEN",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
];

export interface CliIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal: AbortSignal;
  openBackend?: DriverDeps["openBackend"];
}

/** Runs one invocation and returns the exit code. Never throws. */
export async function main(io: CliIo): Promise<number> {
  const parsed = parseCommandLine(io.argv, io.env, io.cwd);
  if (parsed.kind === "help") {
    io.stdout(helpText());
    return ExitCode.Ok;
  }
  if (parsed.kind === "usage-error") {
    io.stderr(`deploy: error: ${parsed.message}\n`);
    if (parsed.json && parsed.command && parsed.stack) {
      io.stdout(
        `${JSON.stringify(
          {
            command: parsed.command,
            stack: parsed.stack,
            result: "refused",
            exitCode: parsed.exitCode,
            changes: {},
            outputs: null,
            durationMs: 0,
            backend: null,
            error: { kind: "usage", message: parsed.message },
          },
          null,
          2,
        )}\n`,
      );
    }
    return parsed.exitCode;
  }
  const knownSecrets = secretEnvNames
    .map((name) => io.env[name])
    .filter((v): v is string => typeof v === "string" && v.length > 0);
  return runDriver(parsed, {
    openBackend:
      io.openBackend ??
      ((opts) =>
        openPulumiBackend({
          repoRoot,
          env: io.env,
          ...(opts.secretsProvider ? { secretsProvider: opts.secretsProvider } : {}),
        })),
    stdout: io.stdout,
    stderr: io.stderr,
    signal: io.signal,
    now: () => performance.now(),
    knownSecrets,
  });
}

/** Installs SIGINT/SIGTERM handling: the first signal cancels, a second one exits at once. */
function cancellationOnSignals(stderr: (text: string) => void): AbortController {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      stderr(
        `deploy: received ${signal}: cancelling; the Pulumi CLI stops after the resource operations in flight (send ${signal} again to exit immediately)\n`,
      );
      controller.abort();
      return;
    }
    stderr(
      `deploy: received ${signal} again: exiting now. The stack may be left locked with pending operations: run \`refresh\` (and \`pulumi cancel\` if it stays locked)\n`,
    );
    process.exit(ExitCode.Cancelled);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return controller;
}

if (require.main === module) {
  const stderr = (text: string) => void process.stderr.write(text);
  const controller = cancellationOnSignals(stderr);
  main({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => void process.stdout.write(text),
    stderr,
    signal: controller.signal,
  })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      // main() classifies every error; this is only a last resort, still one line.
      stderr(`deploy: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = ExitCode.Failure;
    });
}
