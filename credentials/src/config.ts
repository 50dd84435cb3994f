import {
  DEFAULT_ENTRA_CLOUD,
  ENTRA_CLOUD_NAMES,
  entraCloud,
  isEntraCloudName,
  unsupportedCloudReason,
  type EntraCloud,
} from "./entraCloud";
import { EntraAwsCredentialsError } from "./errors";

/** Environment variables the helper reads (see README). */
export const ENV = {
  clientId: "AZURE_CLIENT_ID",
  tenantId: "AZURE_TENANT_ID",
  clientSecret: "AZURE_CLIENT_SECRET",
  identityHeader: "IDENTITY_HEADER",
  roleArn: "AWS_ROLE_ARN",
  sessionName: "AWS_ROLE_SESSION_NAME",
  audience: "ENTRA_AWS_AUDIENCE",
  stsEndpoint: "AWS_ENDPOINT_URL_STS",
  region: "AWS_REGION",
  defaultRegion: "AWS_DEFAULT_REGION",
  cacheDir: "ENTRA_AWS_CACHE_DIR",
  cloud: "ENTRA_AWS_CLOUD",
  /** @azure/identity's own: the login host of caller apps. */
  authorityHost: "AZURE_AUTHORITY_HOST",
} as const;

/**
 * The secret values in the environment, for redaction: the caller app's client secret and the
 * App Service header that lets anyone holding it get the managed identity's tokens.
 */
export function envSecrets(env: NodeJS.ProcessEnv): string[] {
  return [env[ENV.clientSecret], env[ENV.identityHeader]].filter((v): v is string => !!v);
}

export interface ResolvedSettings {
  roleArn: string;
  audience: string;
  clientId: string | undefined;
  tenantId: string | undefined;
  sessionName: string | undefined;
  durationSeconds: number | undefined;
  region: string;
  stsEndpoint: string | undefined;
  /** Which Entra cloud: its login host for caller apps and the issuer tokens must have. */
  cloud: EntraCloud;
}

export interface SettingsInput {
  roleArn?: string;
  audience?: string;
  clientId?: string;
  tenantId?: string;
  sessionName?: string;
  durationSeconds?: number;
  region?: string;
  stsEndpoint?: string;
  /** One of ENTRA_CLOUD_NAMES; checked at run time, as it may come from a flag. */
  cloud?: string;
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value.trim();

const MISSING_AUDIENCE = `the audience, the federation app's App ID URI such as api://<appId> (option audience / --audience or ${ENV.audience})`;

function missingError(missing: string[]): EntraAwsCredentialsError {
  return new EntraAwsCredentialsError({
    source: "config",
    message: `Missing ${missing.join(" and ")}. Print them for an identity and role with \`entra-aws-credentials env\`.`,
  });
}

function checkAudience(audience: string): void {
  if (audience.endsWith("/.default")) {
    throw new EntraAwsCredentialsError({
      source: "config",
      message: `The audience "${audience}" ends with /.default: pass the App ID URI itself (the helper adds /.default to the token scope).`,
    });
  }
}

/** An Entra cloud that is known and supported, else a config error naming where it came from. */
function resolveCloud(input: string | undefined, env: NodeJS.ProcessEnv): EntraCloud {
  const given = nonEmpty(input);
  const value = given ?? nonEmpty(env[ENV.cloud]) ?? DEFAULT_ENTRA_CLOUD;
  const source = given === undefined ? ENV.cloud : "option cloud / --cloud";
  const supported = ENTRA_CLOUD_NAMES.filter((name) => unsupportedCloudReason(name) === undefined);
  const allowed = `Allowed: ${supported.join(", ")} (default ${DEFAULT_ENTRA_CLOUD}).`;
  if (!isEntraCloudName(value)) {
    throw new EntraAwsCredentialsError({
      source: "config",
      message: `The cloud "${value}" (${source}) is not an Entra cloud. ${allowed}`,
    });
  }
  const unsupported = unsupportedCloudReason(value);
  if (unsupported !== undefined) {
    throw new EntraAwsCredentialsError({
      source: "config",
      message: `The cloud "${value}" (${source}) ${unsupported}. ${allowed}`,
    });
  }
  return entraCloud(value);
}

export type IdentitySettings = Pick<
  ResolvedSettings,
  "audience" | "clientId" | "tenantId" | "cloud"
>;

/**
 * What getting a token needs (`token-file`): the audience, required and checked as in
 * resolveSettings, the identity and the cloud. Options win over the environment.
 */
export function resolveIdentitySettings(
  input: Pick<SettingsInput, "audience" | "clientId" | "tenantId" | "cloud">,
  env: NodeJS.ProcessEnv = process.env,
): IdentitySettings {
  const audience = nonEmpty(input.audience) ?? nonEmpty(env[ENV.audience]);
  if (!audience) throw missingError([MISSING_AUDIENCE]);
  checkAudience(audience);
  return {
    audience,
    clientId: nonEmpty(input.clientId) ?? nonEmpty(env[ENV.clientId]),
    tenantId: nonEmpty(input.tenantId) ?? nonEmpty(env[ENV.tenantId]),
    cloud: resolveCloud(input.cloud, env),
  };
}

/** Options win over the environment; the role ARN and the audience are required. */
export function resolveSettings(
  input: SettingsInput,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedSettings {
  const roleArn = nonEmpty(input.roleArn) ?? nonEmpty(env[ENV.roleArn]);
  const audience = nonEmpty(input.audience) ?? nonEmpty(env[ENV.audience]);
  const missing: string[] = [];
  if (!roleArn) missing.push(`the role ARN (option roleArn / --role-arn or ${ENV.roleArn})`);
  if (!audience) missing.push(MISSING_AUDIENCE);
  if (!roleArn || !audience) throw missingError(missing);
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(roleArn)) {
    throw new EntraAwsCredentialsError({
      source: "config",
      message: `The role ARN "${roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).`,
    });
  }
  const identity = resolveIdentitySettings(input, env);
  const durationSeconds = input.durationSeconds;
  if (
    durationSeconds !== undefined &&
    (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43_200)
  ) {
    throw new EntraAwsCredentialsError({
      source: "config",
      message: `DurationSeconds must be an integer from 900 to 43200 (and at most the role's MaxSessionDuration), got ${durationSeconds}.`,
    });
  }
  return {
    roleArn,
    ...identity,
    sessionName: nonEmpty(input.sessionName) ?? nonEmpty(env[ENV.sessionName]),
    durationSeconds,
    region:
      nonEmpty(input.region) ??
      nonEmpty(env[ENV.region]) ??
      nonEmpty(env[ENV.defaultRegion]) ??
      "us-east-1",
    stsEndpoint: nonEmpty(input.stsEndpoint) ?? nonEmpty(env[ENV.stsEndpoint]),
  };
}

/**
 * A refresh-ahead option in seconds (`refreshBeforeExpirySeconds`), checked, in ms: finite and
 * >= 0, else a config error naming the option.
 */
export function refreshAheadMs(seconds: number | undefined, defaultSeconds: number): number {
  const value = seconds ?? defaultSeconds;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new EntraAwsCredentialsError({
      source: "config",
      message: `refreshBeforeExpirySeconds must be a finite number of seconds >= 0, got ${String(value)}.`,
    });
  }
  return value * 1000;
}
