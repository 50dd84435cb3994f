/** `env`: the helper's environment variables for one identity and role, from stack outputs. */
import * as fs from "node:fs";
import { EntraAwsCredentialsError } from "../errors";
import { envForIdentity, formatEnv, parseStackOutputs } from "../stackOutputs";
import { parse, type Io } from "./common";
import { USAGE, usageError } from "./usage";

export function envCommand(args: string[], io: Io): number {
  const { values } = parse(args, {
    outputs: { type: "string" },
    identity: { type: "string" },
    role: { type: "string" },
    format: { type: "string" },
    "session-name": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return (io.stdout(USAGE), 0);
  if (!values.outputs || !values.identity || !values.role) {
    throw usageError("env needs --outputs <file|->, --identity <name> and --role <name>.");
  }
  const format = values.format ?? "shell";
  if (format !== "shell" && format !== "dotenv" && format !== "json") {
    throw usageError(`--format must be shell, dotenv or json, got "${format}".`);
  }
  let text: string;
  try {
    text = values.outputs === "-" ? io.readStdin() : fs.readFileSync(values.outputs, "utf8");
  } catch (error) {
    throw new EntraAwsCredentialsError({
      source: "config",
      message: `Cannot read the stack outputs ${values.outputs}: ${(error as Error).message}`,
    });
  }
  const { vars, notes } = envForIdentity(parseStackOutputs(text), {
    identity: values.identity,
    role: values.role,
    ...(values["session-name"] ? { sessionName: values["session-name"] } : {}),
  });
  for (const note of notes) io.stderr(`entra-aws-credentials: ${note}\n`);
  io.stdout(formatEnv(vars, format));
  return 0;
}
