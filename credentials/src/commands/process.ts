/** `process`: AWS credential_process JSON, served from the disk cache until a refresh is due. */
import {
  cacheKey,
  defaultCacheDir,
  readCache,
  writeCache,
  type ProcessCredentials,
} from "../diskCache";
import type { AwsCredentials } from "../provider";
import { redact } from "../redact";
import { checkCacheDir } from "../safeDir";
import { COMMON, intOption, loadProvider, parse, settingsFrom, type Io } from "./common";
import { USAGE } from "./usage";

function toProcessJson(c: AwsCredentials): ProcessCredentials {
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

export async function processCommand(args: string[], io: Io): Promise<number> {
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

  const { providerFor } = loadProvider();
  let credentials: ProcessCredentials;
  try {
    const provider = providerFor(settings, {
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
