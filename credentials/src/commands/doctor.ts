/** `doctor`: the checks of a token and of the STS call, as text or JSON. */
import * as fs from "node:fs";
import { envSecrets } from "../config";
import { formatReport, runDoctor } from "../doctor";
import { EntraAwsCredentialsError } from "../errors";
import { redact } from "../redact";
import { COMMON, loadProvider, parse, settingsFrom, type Io } from "./common";
import { USAGE } from "./usage";

export async function doctorCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    ...COMMON,
    token: { type: "string" },
    "token-file": { type: "string" },
    "expected-subject": { type: "string" },
    "app-role": { type: "string" },
    "no-sts": { type: "boolean" },
    json: { type: "boolean" },
  });
  if (values.help) return (io.stdout(USAGE), 0);
  const noSts = values["no-sts"] ?? false;
  const settings = settingsFrom(
    // Without the STS call the role ARN is not used; accept its absence.
    noSts && !values["role-arn"] && !io.env.AWS_ROLE_ARN
      ? { ...values, "role-arn": "arn:aws:iam::000000000000:role/unused" }
      : values,
    io.env,
  );
  let token: string | undefined;
  if (values.token !== undefined && values.token !== "-") {
    // One line, without the value: a bearer token on the command line is readable by every
    // user through ps and stays in the shell history.
    throw new EntraAwsCredentialsError({
      source: "config",
      message:
        "--token takes only - (stdin): a token on the command line is visible in ps and shell history; use --token - or --token-file <path>.",
    });
  }
  if (values.token === "-") {
    token = io.readStdin().trim();
  } else if (values["token-file"] !== undefined) {
    token = fs.readFileSync(values["token-file"], "utf8").trim();
  }
  const provider = token === undefined || !noSts ? loadProvider() : undefined;
  const credential = provider?.defaultTokenCredential(settings, io.env);
  const assume = noSts
    ? undefined
    : provider?.createStsAssumer(settings, provider.sessionNameFor(settings), {}, io.env);
  const report = await runDoctor(
    {
      audience: settings.audience,
      cloud: settings.cloud,
      ...(settings.tenantId ? { tenantId: settings.tenantId } : {}),
      ...(values["expected-subject"] ? { expectedSubject: values["expected-subject"] } : {}),
      ...(values["app-role"] ? { appRole: values["app-role"] } : {}),
    },
    {
      nowSeconds: Math.floor(io.now() / 1000),
      ...(token !== undefined ? { token } : {}),
      getToken: async () =>
        (await provider!.getEntraToken(credential!, settings.audience, envSecrets(io.env))).token,
      ...(assume ? { assumeRole: assume, stsWhere: assume.where } : {}),
    },
  );
  // The report quotes Entra and STS messages: redacted field by field, before JSON escaping
  // could hide a secret's characters from the match.
  const secrets = envSecrets(io.env);
  const safe = {
    ok: report.ok,
    checks: report.checks.map((c) => ({
      ...c,
      detail: redact(c.detail, secrets),
      ...(c.fix === undefined ? {} : { fix: redact(c.fix, secrets) }),
    })),
  };
  io.stdout(values.json ? `${JSON.stringify(safe, null, 2)}\n` : formatReport(safe));
  return report.ok ? 0 : 2;
}
