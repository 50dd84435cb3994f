/**
 * The `entra-aws-credentials` command: picks the command (one file each under commands/) and
 * reports its failure. Only light modules are imported here: the credential_process cache-hit
 * path must not load @azure/identity or the AWS SDK (see commands/common.ts, loadProvider).
 */
import { envSecrets } from "./config";
import { defaultIo, type Io } from "./commands/common";
import { doctorCommand } from "./commands/doctor";
import { envCommand } from "./commands/env";
import { processCommand } from "./commands/process";
import { tokenFileCommand } from "./commands/tokenFile";
import { USAGE, usageError } from "./commands/usage";
import { EntraAwsCredentialsError } from "./errors";
import { redact } from "./redact";

export type { Io };

const COMMANDS: Readonly<Record<string, (args: string[], io: Io) => number | Promise<number>>> = {
  process: processCommand,
  "token-file": tokenFileCommand,
  doctor: doctorCommand,
  env: envCommand,
};

/**
 * Runs the command; resolves to the exit code. Everything on stderr (errors, warnings, progress)
 * goes through the one redaction; stdout carries only what the command is for.
 */
export async function main(argv: string[], rawIo: Io = defaultIo()): Promise<number> {
  const secrets = envSecrets(rawIo.env);
  const io: Io = { ...rawIo, stderr: (text) => rawIo.stderr(redact(text, secrets)) };
  const [command, ...rest] = argv;
  try {
    if (command === undefined || ["help", "--help", "-h"].includes(command)) {
      io.stdout(USAGE);
      return command === undefined ? 1 : 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw usageError(`Unknown command "${command}".`);
    return await run(rest, io);
  } catch (error) {
    const message =
      error instanceof EntraAwsCredentialsError
        ? error.message
        : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    io.stderr(`entra-aws-credentials: ${message}\n`);
    return 1;
  }
}
