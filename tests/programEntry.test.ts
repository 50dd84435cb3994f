import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { BUILD_MANIFEST, type BuildManifest } from "../lib/buildFreshness";
import { CACHE_DIR, REPO_ROOT } from "../scripts/build";
import { builtPath } from "./support/build";

/**
 * program.js, Pulumi.yaml's main, as the runner loads it (require), from copies beside builds:
 * inside the repository, so each copy resolves @pulumi/pulumi as the real one does.
 */
describe("program.js (Pulumi.yaml's main)", () => {
  const root = path.join(CACHE_DIR, `entry-${process.pid}`);
  const entry = (name: string) => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, "program.js"), path.join(dir, "program.js"));
    return path.join(dir, "program.js");
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as the runner loads main
  const load = (file: string): unknown => require(file);
  const fix = "run `npm run build` (`npm run deploy` builds by itself)";
  /** The runner prints a RunError's message alone, with no stack. */
  const assertStops = (file: string, message: string) =>
    assert.throws(
      () => load(file),
      (err: unknown) => {
        assert.ok(err instanceof pulumi.RunError);
        assert.equal(err.message, message);
        return true;
      },
    );

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("exports the built program when the build is of the sources on disk", () => {
    // The test run's build: program.js beside dist/ (tests/support/build.ts).
    const file = builtPath("program/program.js");
    assert.equal(load(file), load(builtPath("program/dist/index.js")));
    assert.equal(typeof load(file), "function");
  });

  it("stops with the fix, and no stack, when there is no build", () => {
    assertStops(
      entry("unbuilt"),
      `${path.join(root, "unbuilt", "dist")} holds no build of the program: ${fix}`,
    );
  });

  it("stops with the same fix when the build lacks the check it runs first", () => {
    const dist = path.join(root, "partial", "dist");
    fs.mkdirSync(dist, { recursive: true });
    fs.writeFileSync(path.join(dist, "index.js"), "module.exports = () => undefined;\n");
    assertStops(entry("partial"), `${dist} holds no build of the program: ${fix}`);
  });

  it("stops before loading a build of other sources, naming what changed", () => {
    // A copy of the test run's build, its manifest saying lib/errors.ts has been edited since.
    const dist = path.join(root, "stale", "dist");
    fs.cpSync(path.dirname(builtPath("program/dist/index.js")), dist, { recursive: true });
    const manifestFile = path.join(dist, BUILD_MANIFEST);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as BuildManifest;
    const sources = { ...manifest.sources, "lib/errors.ts": "0".repeat(64) };
    const stale = { ...manifest, root: path.relative(dist, REPO_ROOT), sources };
    fs.writeFileSync(manifestFile, JSON.stringify(stale));
    assertStops(
      entry("stale"),
      `the build in ${dist} is not of the sources in ${REPO_ROOT}: 1 changed or removed since (lib/errors.ts): ${fix}`,
    );
    assert.equal(require.cache[path.join(dist, "index.js")], undefined, "the build was loaded");
  });
});
