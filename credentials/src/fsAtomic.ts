/**
 * Writing secrets to disk: a private directory, and files replaced atomically (temporary file
 * with the final mode, fsync, rename), so a reader never sees a partial file and no one else can
 * read it while it is written. Used by the credential_process cache and the token file.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The temporary file's name starts with this, for a cleaner to find crash leftovers. */
export const tempPrefix = (file: string): string => `.${path.basename(file)}.`;

/** Writes `data` to `file` atomically with mode 0600 (temporary file + fsync + rename). */
export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
  const dir = path.dirname(file);
  const tmp = path.join(
    dir,
    `${tempPrefix(file)}${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
  const fd = fs.openSync(
    tmp,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    mode,
  );
  try {
    try {
      fs.fchmodSync(fd, mode); // umask may have narrowed or the fs widened the mode
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}
