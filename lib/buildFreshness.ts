/**
 * Pulumi runs the program from its build (Pulumi.yaml `main: dist/index.js`) and runs no build
 * step itself, so a build left over from other sources would deploy code nobody is looking at.
 * `npm run build` (scripts/build.ts) records the hash of every source it compiled in
 * `build-manifest.json` beside the built index.js; program.js (Pulumi.yaml's main) compares them
 * before it loads the build. A source file that is new since the build only matters once a listed file
 * imports it, and then that file has changed.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const BUILD_MANIFEST = "build-manifest.json";

export interface BuildManifest {
  /** The repository, relative to the manifest's directory. */
  readonly root: string;
  /** SHA-256 (hex) of each compiled file, by its path relative to the repository. */
  readonly sources: Readonly<Record<string, string>>;
}

const sha256 = (file: string): string | undefined => {
  try {
    return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
};

/** The manifest of a build in `outDir` of these files of the repository at `root`. */
export function buildManifest(
  root: string,
  outDir: string,
  files: readonly string[],
): BuildManifest {
  const sources: Record<string, string> = {};
  for (const file of [...files].sort()) {
    const hash = sha256(path.join(root, file));
    if (hash === undefined) throw new Error(`${file}: compiled, but not on disk`);
    sources[file] = hash;
  }
  return { root: path.relative(outDir, root) || ".", sources };
}

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
  const changed = Object.entries(manifest.sources)
    .filter(([file, hash]) => sha256(path.join(root, file)) !== hash)
    .map(([file]) => file);
  if (changed.length === 0) return undefined;
  const shown = changed.slice(0, 5).join(", ") + (changed.length > 5 ? ", …" : "");
  return `the build in ${outDir} is not of the sources in ${root}: ${changed.length} changed or removed since (${shown})`;
}
