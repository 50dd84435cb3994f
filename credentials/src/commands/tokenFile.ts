/** `token-file`: keeps an Entra token in a file for SDKs that read AWS_WEB_IDENTITY_TOKEN_FILE. */
import { resolveIdentitySettings } from "../config";
import { COMMON, intOption, loadProvider, loadTokenFile, parse, type Io } from "./common";
import { USAGE, usageError } from "./usage";

export async function tokenFileCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    ...COMMON,
    file: { type: "string" },
    once: { type: "boolean" },
  });
  if (values.help) return (io.stdout(USAGE), 0);
  if (!values.file) throw usageError("token-file needs --file <path>.");
  // The same checks as the other commands; a token file needs no role ARN.
  const settings = resolveIdentitySettings(
    {
      audience: values.audience,
      clientId: values["client-id"],
      tenantId: values["tenant-id"],
      cloud: values.cloud,
    },
    io.env,
  );
  const { defaultTokenCredential } = loadProvider();
  const { runTokenFile } = loadTokenFile();
  const credential = defaultTokenCredential(settings, io.env);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await runTokenFile({
      file: values.file,
      audience: settings.audience,
      credential,
      once: values.once ?? false,
      signal: controller.signal,
      refreshBeforeExpirySeconds: intOption(
        values["refresh-before-expiry"],
        "refresh-before-expiry",
      ),
      log: (line) => io.stderr(`entra-aws-credentials: ${line}\n`),
    });
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
  return 0;
}
