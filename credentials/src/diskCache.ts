/**
 * The credential_process disk cache. Deliberately free of SDK imports: a cache hit must only cost
 * a Node start, some fs calls and a JSON.parse.
 *
 * One file per (role, audience, identity, session, duration, endpoint, user, host) key under the
 * cache directory (0700, this user's and writable by no one else: see safeDir.ts), each written
 * atomically (fsAtomic.ts). A file that is unreadable, corrupt, for another key, not owned by this
 * user or readable by others is ignored (and replaced by the next write).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { homedir, hostname } from "node:os";
import * as path from "node:path";
import { ENV, type ResolvedSettings } from "./config";
import { ensurePrivateDir, tempPrefix, writeFileAtomic } from "./fsAtomic";
import { refreshAheadFor } from "./refreshingCache";
import { checkCacheDir } from "./safeDir";
import { sessionNameFor } from "./sessionName";

export const CACHE_FORMAT = "entra-aws-credentials/cache/2";

/**
 * The settings that change which credentials STS returns. Not the cloud: a caller app's tenant
 * lives in one cloud only, and a managed identity's token does not depend on the setting.
 */
export type CacheKeyInput = Pick<
  ResolvedSettings,
  | "roleArn"
  | "audience"
  | "clientId"
  | "tenantId"
  | "sessionName"
  | "durationSeconds"
  | "stsEndpoint"
>;

/** Whose credentials these are: the user and the host that obtain them. */
export interface CacheKeyContext {
  uid: number | undefined;
  host: string;
}

/**
 * A stable key: sha256 over the fields that change which credentials STS returns (with the
 * session name actually sent, not the raw option) and over the user and host. A cache directory
 * shared between hosts (e.g. a network home) or users then never serves one the other's
 * credentials: a system-assigned identity is a different identity on every host, whatever the
 * session name.
 */
export function cacheKey(
  input: CacheKeyInput,
  context: CacheKeyContext = { uid: process.getuid?.(), host: hostname() },
): string {
  const canonical = JSON.stringify([
    CACHE_FORMAT,
    input.roleArn,
    input.audience,
    input.clientId ?? "",
    input.tenantId ?? "",
    sessionNameFor(input, context.host),
    input.durationSeconds ?? 0,
    input.stsEndpoint ?? "",
    context.uid ?? -1,
    context.host,
  ]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 40);
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[ENV.cacheDir];
  if (explicit) return explicit;
  const base = env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(base, "entra-aws-credentials");
}

export function cacheFilePath(dir: string, key: string): string {
  return path.join(dir, `${key}.json`);
}

/** The credential_process output shape. */
export interface ProcessCredentials {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

interface CacheEntry {
  format: typeof CACHE_FORMAT;
  key: string;
  roleArn: string;
  /** When the credentials were obtained (epoch ms): their lifetime caps the refresh window. */
  fetchedAt: number;
  credentials: ProcessCredentials;
}

function isProcessCredentials(value: unknown): value is ProcessCredentials {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.Version === 1 &&
    typeof v.AccessKeyId === "string" &&
    v.AccessKeyId !== "" &&
    typeof v.SecretAccessKey === "string" &&
    v.SecretAccessKey !== "" &&
    typeof v.SessionToken === "string" &&
    v.SessionToken !== "" &&
    typeof v.Expiration === "string" &&
    !Number.isNaN(Date.parse(v.Expiration))
  );
}

export type CacheReadResult =
  | { status: "hit"; credentials: ProcessCredentials }
  /** Inside the refresh window: refresh, but these may still be served if the refresh fails. */
  | { status: "due"; credentials: ProcessCredentials; reason: string }
  | { status: "miss" | "ignored"; reason: string };

/**
 * Reads the entry for `key`. "hit" only when it is ours, well-formed and not due for refresh
 * (expiration - refreshAheadMs > now, the window capped at half the credentials' lifetime).
 */
export function readCache(
  dir: string,
  key: string,
  now: number,
  refreshAheadMs: number,
): CacheReadResult {
  const file = cacheFilePath(dir, key);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return { status: "miss", reason: "no cache file" };
  }
  let text: string;
  try {
    const stat = fs.fstatSync(fd);
    const uid = process.getuid?.();
    if (!stat.isFile()) return { status: "ignored", reason: "not a regular file" };
    if (uid !== undefined && stat.uid !== uid) {
      return { status: "ignored", reason: "owned by another user" };
    }
    if ((stat.mode & 0o077) !== 0) return { status: "ignored", reason: "readable by others" };
    if (stat.size > 64 * 1024) return { status: "ignored", reason: "too large" };
    text = fs.readFileSync(fd, "utf8");
  } catch {
    return { status: "ignored", reason: "unreadable" };
  } finally {
    fs.closeSync(fd);
  }
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return { status: "ignored", reason: "corrupt (not JSON)" };
  }
  const e = entry as Partial<CacheEntry> | null;
  if (!e || typeof e !== "object" || e.format !== CACHE_FORMAT) {
    return { status: "ignored", reason: "foreign file (unknown format)" };
  }
  if (e.key !== key) return { status: "ignored", reason: "entry for another key" };
  if (!isProcessCredentials(e.credentials) || typeof e.fetchedAt !== "number") {
    return { status: "ignored", reason: "corrupt (incomplete credentials)" };
  }
  const expiresAt = Date.parse(e.credentials.Expiration);
  if (expiresAt - refreshAheadFor(refreshAheadMs, expiresAt, e.fetchedAt) <= now) {
    return { status: "due", credentials: e.credentials, reason: "refresh due" };
  }
  return { status: "hit", credentials: e.credentials };
}

/** A temporary file left by a crash between open and rename: older than this, it is removed. */
const STALE_TEMP_MS = 60_000;

/** Removes this key's stale temporary files (a writer in progress has a younger one). */
function removeStaleTemps(dir: string, key: string): void {
  const prefix = tempPrefix(cacheFilePath(dir, key));
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const file = path.join(dir, name);
    try {
      if (fs.lstatSync(file).mtimeMs < Date.now() - STALE_TEMP_MS) fs.rmSync(file, { force: true });
    } catch {
      // Renamed or removed meanwhile.
    }
  }
}

export function writeCache(
  dir: string,
  key: string,
  roleArn: string,
  credentials: ProcessCredentials,
  fetchedAt: number,
): void {
  ensurePrivateDir(dir);
  checkCacheDir(dir);
  removeStaleTemps(dir, key);
  const entry: CacheEntry = { format: CACHE_FORMAT, key, roleArn, fetchedAt, credentials };
  writeFileAtomic(cacheFilePath(dir, key), `${JSON.stringify(entry)}\n`);
}
