/**
 * `npm run build`: compiles the program and the driver (tsconfig.build.json) to `dist/`, the
 * JavaScript Pulumi runs (Pulumi.yaml's main, program.js, loads dist/index.js), with source maps
 * so stack traces point at TypeScript lines, and writes the build manifest program.js checks
 * first (lib/buildFreshness.ts). `--if-stale` builds only when that check fails (what `npm run deploy`
 * does). Types are not checked: that is `npm run typecheck`'s job, as it was ts-node's
 * transpile-only's, and a build must not take the type checker's seconds on every change.
 *
 * The tests and the benchmarks build the same way into folders of their own (`build()`).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { BUILD_MANIFEST, buildManifest, staleBuildMessage } from "../lib/buildFreshness";

export const REPO_ROOT = path.resolve(__dirname, "..");
/**
 * Where the tests and benchmarks build and keep scratch files: inside the repository, so what is
 * built there resolves the repository's packages, and git-ignored.
 */
export const CACHE_DIR = path.join(REPO_ROOT, "node_modules", ".cache", "entra-aws-federation");
const TYPESCRIPT_PACKAGE = require.resolve("typescript/package.json");

export interface BuildOptions {
  /** tsconfig file, relative to the repository. */
  readonly project: string;
  /** Where the JavaScript goes; absolute. */
  readonly outDir: string;
}

/** Replaces the file in one step, so a program started during a build never reads half of it. */
function writeFileReplacing(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * Every repository file the entry points import, following relative imports (packages are
 * required at run time, not compiled), with its text as read once for all the build does.
 */
function importedSources(
  entries: readonly string[],
  options: ts.CompilerOptions,
): Map<string, string> {
  const texts = new Map<string, string>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (texts.has(file)) continue;
    const text = fs.readFileSync(file, "utf8");
    texts.set(file, text);
    for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!specifier.startsWith(".")) continue;
      const resolved = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport || resolved.extension !== ".ts")
        throw new Error(`${path.relative(REPO_ROOT, file)}: cannot resolve "${specifier}"`);
      pending.push(resolved.resolvedFileName);
    }
  }
  return texts;
}

/**
 * Compiles `project` into `outDir` file by file, as ts-node's transpile-only mode did (no type
 * information: tsconfig.json's isolatedModules makes the type check reject what that would
 * change). Nothing is written unless every file compiles; the old manifest goes first, so an
 * interrupted build is never taken for a finished one; the new one is written last, and every
 * other file in `outDir` removed. Throws on a syntax or configuration error.
 */
export function build({ project, outDir }: BuildOptions): void {
  const configFile = path.join(REPO_ROOT, project);
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    { outDir, noEmit: false, declaration: false },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!parsed) throw new Error(`${project}: cannot be read`);
  const { options } = parsed;
  const rootDir = options.rootDir ?? REPO_ROOT;
  const sources = importedSources(parsed.fileNames, options);
  const diagnostics = [...parsed.errors];
  const outputs = new Map<string, string>();
  for (const [source, text] of sources) {
    const out = path.join(outDir, path.relative(rootDir, source)).replace(/\.ts$/, ".js");
    const result = ts.transpileModule(text, {
      compilerOptions: options,
      fileName: source,
      reportDiagnostics: true,
    });
    diagnostics.push(...(result.diagnostics ?? []));
    outputs.set(out, result.outputText);
    if (result.sourceMapText !== undefined) {
      // transpileModule names the source by its bare file name; the map sits beside the output.
      const map = JSON.parse(result.sourceMapText) as { sources: string[] };
      map.sources = [path.relative(path.dirname(out), source)];
      outputs.set(`${out}.map`, JSON.stringify(map));
    }
  }
  if (diagnostics.length > 0) {
    throw new Error(
      ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => REPO_ROOT,
        getNewLine: () => "\n",
      }),
    );
  }
  // What else decides the output: the tsconfig files (target, module), this script, the compiler.
  const { extendedSourceFiles = [] } = options.configFile as ts.TsConfigSourceFile;
  const inputs = new Map<string, string | Buffer>(
    [...sources].map(([file, text]) => [path.relative(REPO_ROOT, file), text]),
  );
  for (const file of [configFile, ...extendedSourceFiles, __filename, TYPESCRIPT_PACKAGE])
    inputs.set(path.relative(REPO_ROOT, file), fs.readFileSync(file));
  const manifestFile = path.join(outDir, BUILD_MANIFEST);
  fs.rmSync(manifestFile, { force: true });
  for (const [file, text] of outputs) writeFileReplacing(file, text);
  const manifest = buildManifest(
    REPO_ROOT,
    outDir,
    inputs,
    new Map([...outputs].map(([file, text]) => [path.relative(outDir, file), text])),
  );
  writeFileReplacing(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  // What a removed or renamed source compiled to would otherwise stay, loadable, beside the build.
  // A .tmp file is another build's, in flight.
  for (const file of filesUnder(outDir))
    if (!outputs.has(file) && file !== manifestFile && !file.endsWith(".tmp")) fs.rmSync(file);
}

/** The build `npm run build` makes and Pulumi.yaml's `main` runs. */
export const DIST = path.join(REPO_ROOT, "dist");

function main(args: readonly string[]): void {
  const unknown = args.filter((a) => a !== "--if-stale");
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]} (allowed: --if-stale)`);
  if (args.includes("--if-stale") && staleBuildMessage(DIST) === undefined) return;
  const started = performance.now();
  build({ project: "tsconfig.build.json", outDir: DIST });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`Built ${path.relative(process.cwd(), DIST) || "."}/ in ${seconds} s\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`npm run build: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
