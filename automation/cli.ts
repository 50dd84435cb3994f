/**
 * Entry point of `npm run deploy -- <command> --stack <name> [options]`.
 * Wires process arguments, environment, signals, stdout and stderr to the driver.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { helpText, parseCommandLine } from "./args";
import { childPids, createCancellation, stopChildProcesses } from "./cancellation";
import { runDriver, usageSummary, type DriverDeps } from "./driver";
import { ExitCode } from "./exitCodes";

/**
 * The repository: the nearest directory above this file with a Pulumi.yaml. This file runs from
 * `<repo>/automation` (ts-node), `<repo>/dist/automation` or a test build inside the repository.
 */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, "..");
  }
}

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
    // `outputs --json` prints the output map or nothing (docs/pipelines.md), never a summary.
    if (parsed.json && parsed.command !== "outputs") {
      io.stdout(`${JSON.stringify(usageSummary(parsed), null, 2)}\n`);
    }
    return parsed.exitCode;
  }
  const knownSecrets = secretEnvNames
    .map((name) => io.env[name])
    .filter((v): v is string => typeof v === "string" && v.length > 0);
  return runDriver(parsed, {
    openBackend:
      io.openBackend ??
      (async (opts) => {
        // Loaded only here: the Automation API takes most of a second to load, which `--help`
        // and usage errors must not pay.
        const { openPulumiBackend } =
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          require("./pulumiWorkspace") as typeof import("./pulumiWorkspace");
        return openPulumiBackend({ repoRoot: findRepoRoot(), env: io.env, ...opts });
      }),
    stdout: io.stdout,
    stderr: io.stderr,
    signal: io.signal,
    now: () => performance.now(),
    knownSecrets,
  });
}

/**
 * A writer for stdout/stderr that goes quiet once the reader has gone (`deploy --help | head -1`):
 * EPIPE is the reader's choice, not the driver's failure, so there is no stack trace and the
 * run keeps its own exit code.
 */
function writerOf(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

if (require.main === module) {
  const stdout = writerOf(process.stdout);
  const stderr = writerOf(process.stderr);
  const { controller, onSignal } = createCancellation({
    stderr,
    now: () => performance.now(),
    stopChildren: () => stopChildProcesses(),
    // Give main() a moment to report the cancellation (the JSON summary) now that the CLI is
    // gone; exit regardless shortly after.
    exit: (code) => {
      process.exitCode = code;
      setTimeout(() => process.exit(code), 500).unref();
    },
  });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  main({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout,
    stderr,
    signal: controller.signal,
  })
    .then(async (code) => {
      process.exitCode = code;
      // A CLI call the SDK cannot interrupt (its `pulumi version`) may outlive a cancelled run.
      if (controller.signal.aborted && childPids(process.pid).length > 0) {
        await stopChildProcesses();
      }
    })
    .catch((err: unknown) => {
      // main() classifies every error; this is only a last resort, still one line.
      stderr(`deploy: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = ExitCode.Failure;
    });
}
