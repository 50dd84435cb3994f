/**
 * The `entra-aws-credentials` command. Only light modules are imported at the top: the
 * credential_process cache-hit path must not load @azure/identity or the AWS SDK, so everything
 * that needs them is required lazily (see loadProvider).
 */
import * as fs from "node:fs";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import {
  envSecrets,
  resolveIdentitySettings,
  resolveSettings,
  type ResolvedSettings,
} from "./config";
import {
  cacheKey,
  defaultCacheDir,
  readCache,
  writeCache,
  type ProcessCredentials,
} from "./diskCache";
import { formatReport, runDoctor } from "./doctor";
import { EntraAwsCredentialsError } from "./errors";
import { redact } from "./redact";
import { checkCacheDir } from "./safeDir";
import { envForIdentity, formatEnv, parseStackOutputs } from "./stackOutputs";

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => string;
  env: NodeJS.ProcessEnv;
  now: () => number;
}

const defaultIo = (): Io => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: () => fs.readFileSync(0, "utf8"),
  env: process.env,
  now: Date.now,
});

type Provider = typeof import("./provider");
type TokenFile = typeof import("./tokenFile");
/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: keep SDKs off the cache-hit path */
const loadProvider = (): Provider => require("./provider") as Provider;
const loadTokenFile = (): TokenFile => require("./tokenFile") as TokenFile;
/* eslint-enable @typescript-eslint/no-require-imports */

const COMMON = {
  "role-arn": { type: "string" },
  audience: { type: "string" },
  "client-id": { type: "string" },
  "tenant-id": { type: "string" },
  "session-name": { type: "string" },
  "duration-seconds": { type: "string" },
  region: { type: "string" },
  "sts-endpoint": { type: "string" },
  "refresh-before-expiry": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export const USAGE = `Usage: entra-aws-credentials <command> [options]

Commands:
  process      Print AWS credential_process JSON (cached on disk until refresh is due).
  token-file   Write the Entra token to a file and keep it fresh (for AWS_WEB_IDENTITY_TOKEN_FILE).
  doctor       Check a token and the STS call step by step, with causes and fixes.
  env          Print the environment variables for one identity and role from stack outputs.

Common options (default: environment variable):
  --role-arn <arn>              AWS_ROLE_ARN
  --audience <App ID URI>       ENTRA_AWS_AUDIENCE (e.g. api://<appId>)
  --client-id <guid>            AZURE_CLIENT_ID (user-assigned identity or caller app)
  --tenant-id <guid>            AZURE_TENANT_ID
  --session-name <name>         AWS_ROLE_SESSION_NAME (default entra-<clientId>@<host>)
  --duration-seconds <n>        900..43200 (role maximum)
  --region <region>             AWS_REGION / AWS_DEFAULT_REGION (default us-east-1)
  --sts-endpoint <url>          AWS_ENDPOINT_URL_STS
  --refresh-before-expiry <s>   refresh this many seconds ahead of expiry, at most half the
                                session (default 300; process: 960, ahead of botocore's 900)

process:     --cache-dir <dir> (ENTRA_AWS_CACHE_DIR, default ~/.cache/entra-aws-credentials), --no-cache
token-file:  --file <path> (required), --once
doctor:      --token - (token on stdin) | --token-file <path>, --expected-subject <principalId>,
             --app-role <value>, --no-sts, --json
env:         --outputs <file|-> --identity <name> --role <name> [--format shell|dotenv|json]
             [--session-name <name>]

A caller app (client secret) is used when AZURE_CLIENT_SECRET, AZURE_CLIENT_ID and AZURE_TENANT_ID
are set; otherwise the managed identity (AZURE_CLIENT_ID selects a user-assigned one).
`;

function usageError(message: string): EntraAwsCredentialsError {
  return new EntraAwsCredentialsError({ source: "config", message: `${message}\n\n${USAGE}` });
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`--${name} must be a whole number, got "${value}".`);
  return Number(value);
}

interface CommonValues {
  "role-arn"?: string;
  audience?: string;
  "client-id"?: string;
  "tenant-id"?: string;
  "session-name"?: string;
  "duration-seconds"?: string;
  region?: string;
  "sts-endpoint"?: string;
}

function settingsFrom(values: CommonValues, env: NodeJS.ProcessEnv): ResolvedSettings {
  return resolveSettings(
    {
      roleArn: values["role-arn"],
      audience: values.audience,
      clientId: values["client-id"],
      tenantId: values["tenant-id"],
      sessionName: values["session-name"],
      durationSeconds: intOption(values["duration-seconds"], "duration-seconds"),
      region: values.region,
      stsEndpoint: values["sts-endpoint"],
    },
    env,
  );
}

function parse<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: false as const, strict: true as const });
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

function toProcessJson(c: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}): ProcessCredentials {
  return {
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: c.expiration.toISOString(),
  };
}

/**
 * botocore refreshes credential_process credentials 15 minutes (advisory) and 10 minutes
 * (mandatory) before they expire, calling the helper again on every credential use inside that
 * window until it gets credentials with more time left. With a 300 s window this cache would hand
 * back the same credentials from 15 down to 5 minutes before expiry, so a long-running Python
 * process would spawn the helper on every request. 960 s = botocore's 900 s plus a minute.
 */
export const PROCESS_REFRESH_BEFORE_EXPIRY_SECONDS = 960;

async function cmdProcess(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    ...COMMON,
    "cache-dir": { type: "string" },
    "no-cache": { type: "boolean" },
  });
  if (values.help) return (io.stdout(USAGE), 0);
  const settings = settingsFrom(values, io.env);
  const refreshAheadMs =
    (intOption(values["refresh-before-expiry"], "refresh-before-expiry") ??
      PROCESS_REFRESH_BEFORE_EXPIRY_SECONDS) * 1000;
  const useCache = !values["no-cache"];
  const dir = values["cache-dir"] ?? defaultCacheDir(io.env);
  const key = cacheKey(settings);
  if (useCache) checkCacheDir(dir);
  const cached = useCache ? readCache(dir, key, io.now(), refreshAheadMs) : undefined;
  if (cached?.status === "hit") {
    io.stdout(`${JSON.stringify(cached.credentials)}\n`);
    return 0;
  }

  const { fromEntraIdentity } = loadProvider();
  let credentials: ProcessCredentials;
  try {
    const provider = fromEntraIdentity({
      ...settings,
      refreshBeforeExpirySeconds: refreshAheadMs / 1000,
      env: io.env,
    });
    credentials = toProcessJson(await provider());
  } catch (error) {
    // A failed refresh still serves cached credentials that have not expired.
    if (cached?.status === "due" && Date.parse(cached.credentials.Expiration) > io.now()) {
      const firstLine = (error as Error).message.split("\n")[0] ?? "";
      const secrets = [cached.credentials.SecretAccessKey, cached.credentials.SessionToken];
      io.stderr(
        `entra-aws-credentials: refresh failed, serving cached credentials until ${cached.credentials.Expiration}: ${redact(firstLine, secrets)}\n`,
      );
      io.stdout(`${JSON.stringify(cached.credentials)}\n`);
      return 0;
    }
    throw error;
  }
  if (useCache) {
    try {
      writeCache(dir, key, settings.roleArn, credentials, io.now());
    } catch (error) {
      io.stderr(
        `entra-aws-credentials: could not write the cache in ${dir}: ${(error as Error).message}\n`,
      );
    }
  }
  io.stdout(`${JSON.stringify(credentials)}\n`);
  return 0;
}

async function cmdTokenFile(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    ...COMMON,
    file: { type: "string" },
    once: { type: "boolean" },
  });
  if (values.help) return (io.stdout(USAGE), 0);
  if (!values.file) throw usageError("token-file needs --file <path>.");
  // The same checks as the other commands; a token file needs no role ARN.
  const settings = resolveIdentitySettings(
    { audience: values.audience, clientId: values["client-id"], tenantId: values["tenant-id"] },
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

async function cmdDoctor(args: string[], io: Io): Promise<number> {
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

function cmdEnv(args: string[], io: Io): number {
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

/**
 * Runs the command; resolves to the exit code. Everything on stderr (errors, warnings, progress)
 * goes through the one redaction; stdout carries only what the command is for.
 */
export async function main(argv: string[], rawIo: Io = defaultIo()): Promise<number> {
  const secrets = envSecrets(rawIo.env);
  const io: Io = { ...rawIo, stderr: (text) => rawIo.stderr(redact(text, secrets)) };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "process":
        return await cmdProcess(rest, io);
      case "token-file":
        return await cmdTokenFile(rest, io);
      case "doctor":
        return await cmdDoctor(rest, io);
      case "env":
        return cmdEnv(rest, io);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return command === undefined ? 1 : 0;
      default:
        throw usageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    const message =
      error instanceof EntraAwsCredentialsError
        ? error.message
        : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    io.stderr(`entra-aws-credentials: ${message}\n`);
    return 1;
  }
}
