/**
 * Token file mode: keep an Entra token in a file for SDKs with built-in
 * AWS_WEB_IDENTITY_TOKEN_FILE support (boto3, the AWS CLI, Java, Go, .NET...).
 * Each write is atomic (temporary file + rename), so a reader never sees a partial token.
 */
import type { AccessToken, TokenCredential } from "@azure/identity";
import * as path from "node:path";
import { ensurePrivateDir, writeFileAtomic } from "./fsAtomic";
import { getEntraToken } from "./provider";
import { backoffDelayMs } from "./retry";
import { jwtExpiryMs } from "./jwt";
import { checkTokenFileDir } from "./safeDir";

export function writeTokenFile(file: string, token: string): void {
  checkTokenFileDir(path.dirname(file));
  ensurePrivateDir(path.dirname(file));
  writeFileAtomic(file, token, 0o600);
}

export interface TokenFileOptions {
  file: string;
  audience: string;
  credential: TokenCredential;
  /** Refresh this many seconds before the token expires. Default 300. */
  refreshBeforeExpirySeconds?: number;
  /** Stop after the first write. */
  once?: boolean;
  /** Stops the loop. */
  signal?: AbortSignal;
  now?: () => number;
  /** Sleep that resolves early when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Progress lines (never the token). */
  log?: (line: string) => void;
}

const abortableSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

function expiresAtMs(token: AccessToken): number {
  return jwtExpiryMs(token.token) ?? token.expiresOnTimestamp;
}

/** When to refresh: the earlier of the credential's refresh hint and expiry - refreshAhead. */
export function nextRefreshAt(token: AccessToken, refreshAheadMs: number, now: number): number {
  const byExpiry = expiresAtMs(token) - refreshAheadMs;
  const hint = token.refreshAfterTimestamp;
  const at = hint !== undefined && hint < byExpiry ? hint : byExpiry;
  // Never spin: at least 1 s between refreshes.
  return Math.max(at, now + 1_000);
}

/**
 * Writes the token, then (unless `once`) keeps refreshing it ahead of expiry until the signal
 * aborts. A failed refresh is retried with backoff while the file's token is still valid; when it
 * has expired the error is thrown.
 */
export async function runTokenFile(options: TokenFileOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const refreshAheadMs = (options.refreshBeforeExpirySeconds ?? 300) * 1000;
  const log = options.log ?? (() => undefined);
  checkTokenFileDir(path.dirname(options.file)); // before any token is asked for
  let current: AccessToken | undefined;
  let failures = 0;
  for (;;) {
    try {
      const token = await getEntraToken(options.credential, options.audience);
      if (token.token !== current?.token) {
        writeTokenFile(options.file, token.token);
        log(
          `wrote token to ${options.file}; expires ${new Date(expiresAtMs(token)).toISOString()}`,
        );
      }
      current = token;
      failures = 0;
    } catch (error) {
      if (!current || expiresAtMs(current) <= now()) throw error;
      failures += 1;
      const wait = Math.max(
        1_000,
        backoffDelayMs(failures, { baseDelayMs: 2_000, maxDelayMs: 60_000 }),
      );
      log(
        `refresh failed (${(error as Error).message.split("\n")[0]}); retrying in ${Math.round(wait / 1000)} s`,
      );
      if (options.once) throw error;
      await sleep(wait, options.signal);
      if (options.signal?.aborted) return;
      continue;
    }
    if (options.once || options.signal?.aborted) return;
    await sleep(nextRefreshAt(current, refreshAheadMs, now()) - now(), options.signal);
    if (options.signal?.aborted) return;
  }
}
