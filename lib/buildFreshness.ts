/**
 * Pulumi runs the program from its build (Pulumi.yaml's main, program.js, loads dist/index.js)
 * and runs no build step itself, so a build of other sources would deploy code nobody is looking
 * at. `npm run build` (scripts/build.ts) records in `build-manifest.json` the SHA-256 of every
 * source it compiled (and of what decides how: the tsconfig files, the build script, the
 * TypeScript version) and of every file it wrote; program.js compares them with the disk before
 * it loads the build. A source file that is new since the build only matters once a listed file
 * imports it, and then that file has changed.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const BUILD_MANIFEST = "build-manifest.json";

export interface BuildManifest {
  /** The repository, relative to the manifest's directory. */
  readonly root: string;
  /** SHA-256 (hex) of each input of the build, by its path relative to the repository. */
  readonly sources: Readonly<Record<string, string>>;
  /** SHA-256 (hex) of each file the build wrote, by its path relative to the build folder. */
  readonly outputs: Readonly<Record<string, string>>;
}

export const sha256 = (data: string | Buffer): string =>
  createHash("sha256").update(data).digest("hex");

const hashOf = (file: string): string | undefined => {
  try {
    return sha256(fs.readFileSync(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
};

const sorted = (entries: ReadonlyMap<string, string>): Record<string, string> =>
  Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * The manifest of a build in `outDir`, from the contents it was made of (by path relative to the
 * repository at `root`) and the contents it wrote (by path relative to `outDir`), hashed as they
 * were read and written, so a file saved during the build cannot pass for what was compiled.
 */
export function buildManifest(
  root: string,
  outDir: string,
  sources: ReadonlyMap<string, string | Buffer>,
  outputs: ReadonlyMap<string, string>,
): BuildManifest {
  const hashed = (m: ReadonlyMap<string, string | Buffer>) =>
    new Map([...m].map(([file, data]) => [file, sha256(data)]));
  return {
    root: path.relative(outDir, root) || ".",
    sources: sorted(hashed(sources)),
    outputs: sorted(hashed(outputs)),
  };
}

const listed = (files: readonly string[]): string =>
  files.slice(0, 5).join(", ") + (files.length > 5 ? ", …" : "");

/**
 * Why the build in `outDir` is not the build of the sources on disk, or `undefined` when it is.
 * The message names the files that differ.
 */
export function staleBuildMessage(outDir: string): string | undefined {
  const manifestFile = path.join(outDir, BUILD_MANIFEST);
  let manifest: BuildManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as BuildManifest;
  } catch (err) {
    return `${manifestFile} cannot be read (${(err as Error).message})`;
  }
  const root = path.resolve(outDir, manifest.root);
  const differ = (files: Readonly<Record<string, string>> | undefined, dir: string) =>
    Object.entries(files ?? {})
      .filter(([file, hash]) => hashOf(path.join(dir, file)) !== hash)
      .map(([file]) => file);
  const changed = differ(manifest.sources, root);
  if (changed.length > 0)
    return `the build in ${outDir} is not of the sources in ${root}: ${changed.length} changed or removed since (${listed(changed)})`;
  const altered = differ(manifest.outputs, outDir);
  if (altered.length > 0)
    return `the build in ${outDir} is not the one its manifest records: ${altered.length} of its files changed or missing (${listed(altered)})`;
  return undefined;
}
