/**
 * Directories the helper writes secrets into. Files there are 0600, but whoever may write to the
 * directory can still delete or rename them and put their own in place: cached credentials of
 * their choosing, or their token for the SDK to exchange. POSIX only: Windows has no owner uid
 * and Node reports every mode as 0666 there.
 */
import * as fs from "node:fs";
import { EntraAwsCredentialsError } from "./errors";

const posix = process.platform !== "win32";
const octal = (mode: number): string => `0${(mode & 0o7777).toString(8)}`;

function refuse(message: string): EntraAwsCredentialsError {
  return new EntraAwsCredentialsError({ source: "config", message });
}

/**
 * The cache directory, when it exists, must be this user's and writable by no one else (a
 * symlink is judged by what it points to).
 */
export function checkCacheDir(dir: string): void {
  const uid = process.getuid?.();
  if (!posix || uid === undefined || !fs.existsSync(dir)) return;
  const stat = fs.statSync(dir);
  const writers = [stat.mode & 0o020 ? "group" : "", stat.mode & 0o002 ? "others" : ""]
    .filter(Boolean)
    .join(" and ");
  const why =
    stat.uid !== uid
      ? `is owned by uid ${stat.uid}, not by this user (uid ${uid})`
      : writers
        ? `is writable by ${writers} (mode ${octal(stat.mode)})`
        : undefined;
  if (why === undefined) return;
  throw refuse(
    `The cache directory ${dir} ${why}: another user could replace or delete the cached credentials. Use a directory of your own with mode 0700 (chmod 700, or --cache-dir / ENTRA_AWS_CACHE_DIR), or pass --no-cache.`,
  );
}

/**
 * A token file's directory must not be writable by others unless it has the sticky bit (as /tmp
 * has), which keeps others from renaming or deleting a file they do not own.
 */
export function checkTokenFileDir(dir: string): void {
  if (!posix || !fs.existsSync(dir)) return;
  const stat = fs.statSync(dir);
  if ((stat.mode & 0o002) === 0 || (stat.mode & 0o1000) !== 0) return;
  throw refuse(
    `The token file's directory ${dir} is writable by others without the sticky bit (mode ${octal(stat.mode)}): another user could replace the token file. Write it to a directory only you can write to, or set the sticky bit (chmod +t).`,
  );
}
