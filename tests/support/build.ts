/**
 * Builds the program, the driver and the credentials helper once per test run, as `npm run build`
 * does (scripts/build.ts), so tests that must run them as real child processes start plain
 * JavaScript instead of ts-node (about 1 s less per child).
 *
 * A mocha global fixture: it runs once in mocha's main process before any worker starts, and the
 * workers inherit the build directory through ENTRA_AWS_TEST_BUILD. The directory lies inside the
 * repository (under node_modules/.cache) so the built files resolve the repository's packages, and
 * each run has its own, so concurrent runs never read each other's half-written files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { build, CACHE_DIR, REPO_ROOT } from "../../scripts/build";

/**
 * Build outputs, each build in a folder of its own (a build removes what it did not write):
 * `program/program.js` beside `program/dist/` (the program as Pulumi.yaml's main loads it),
 * `program/dist/automation/cli.js`, `credentials/bin/entra-aws-credentials.js` and
 * `bench-engine/bench/mockEngine.js` (the SDK's mocks as the engine of a program started by the
 * SDK's runner).
 */
export function builtPath(relative: string): string {
  const dir = process.env.ENTRA_AWS_TEST_BUILD;
  if (!dir)
    throw new Error("ENTRA_AWS_TEST_BUILD is unset: run tests through mocha (.mocharc.json)");
  return path.join(dir, relative);
}

export function mochaGlobalSetup(): void {
  if (process.env.ENTRA_AWS_TEST_BUILD) return; // a nested mocha run reuses its parent's build
  const cache = CACHE_DIR;
  removeBuildsOfEndedRuns(cache);
  const dir = path.join(cache, `build-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  build({ project: "tsconfig.build.json", outDir: path.join(dir, "program", "dist") });
  fs.copyFileSync(path.join(REPO_ROOT, "program.js"), path.join(dir, "program", "program.js"));
  build({ project: "credentials/tsconfig.build.json", outDir: path.join(dir, "credentials") });
  build({ project: "bench/tsconfig.json", outDir: path.join(dir, "bench-engine") });
  process.env.ENTRA_AWS_TEST_BUILD = dir;
}

export function mochaGlobalTeardown(): void {
  const dir = process.env.ENTRA_AWS_TEST_BUILD;
  if (dir?.includes(`${path.sep}build-${process.pid}`))
    fs.rmSync(dir, { recursive: true, force: true });
}

/** A run killed before its teardown leaves its build behind; its process id is gone by now. */
function removeBuildsOfEndedRuns(cache: string): void {
  for (const entry of fs.existsSync(cache) ? fs.readdirSync(cache) : []) {
    const pid = Number(/^build-(\d+)$/.exec(entry)?.[1]);
    if (pid && !isRunning(pid))
      fs.rmSync(path.join(cache, entry), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
