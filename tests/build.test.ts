import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BUILD_MANIFEST, staleBuildMessage, type BuildManifest } from "../lib/buildFreshness";
import { build, REPO_ROOT } from "../scripts/build";
import { builtPath } from "./support/build";

describe("npm run build (scripts/build.ts)", () => {
  // The test run's own build (tests/support/build.ts) is made by the same function.
  const dir = () => path.dirname(builtPath("program/dist/index.js"));
  const manifest = () =>
    JSON.parse(fs.readFileSync(path.join(dir(), BUILD_MANIFEST), "utf8")) as BuildManifest;
  const cleanups: string[] = [];
  afterEach(() => {
    for (const d of cleanups.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  /**
   * A two-file project, b.ts importing a.ts, under the repository's tsconfig.json; outside
   * node_modules, where module resolution would take its files for a package's.
   */
  const smallProject = () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "entra-aws-build-"));
    cleanups.push(project);
    const write = (file: string, text: string) => fs.writeFileSync(path.join(project, file), text);
    write(
      "tsconfig.json",
      JSON.stringify({
        extends: path.join(REPO_ROOT, "tsconfig.json"),
        compilerOptions: { rootDir: "." },
        include: ["b.ts"],
      }),
    );
    const options = {
      project: path.relative(REPO_ROOT, path.join(project, "tsconfig.json")),
      outDir: path.join(project, "out"),
    };
    return { options, write };
  };

  it("compiles the program, the driver and every file they import, and records them all", () => {
    const sources = Object.keys(manifest().sources);
    for (const file of [
      "index.ts",
      "lib/buildFreshness.ts", // program.js loads it before the program
      "lib/promiseStacks.ts",
      "components/federation.ts",
      "lib/config/schema.ts",
      "credentials/src/stackOutputContract.ts",
      "automation/cli.ts",
      "automation/pulumiWorkspace.ts", // required lazily by cli.ts
      "tsconfig.build.json",
      "tsconfig.json",
    ]) {
      assert.ok(sources.includes(file), file);
    }
    const tests = sources.filter((f) => f.startsWith("tests/") || f.startsWith("bench/"));
    assert.deepEqual(tests, []);
    assert.equal(manifest().root, path.relative(dir(), REPO_ROOT));
    assert.equal(staleBuildMessage(dir()), undefined);
  });

  it("writes each file's JavaScript with a source map naming the TypeScript file", () => {
    const scripts = Object.keys(manifest().outputs).filter((f) => f.endsWith(".js"));
    assert.ok(scripts.includes("index.js") && scripts.includes("automation/cli.js"));
    for (const script of scripts) {
      const js = path.join(dir(), script);
      const text = fs.readFileSync(js, "utf8");
      assert.ok(text.endsWith(`//# sourceMappingURL=${path.basename(js)}.map`), js);
      const map = JSON.parse(fs.readFileSync(`${js}.map`, "utf8")) as { sources: string[] };
      assert.deepEqual(
        map.sources.map((s) => path.resolve(path.dirname(js), s)),
        [path.join(REPO_ROOT, script.replace(/\.js$/, ".ts"))],
      );
    }
  });

  it("leaves nothing else in the build folder (what a removed source compiled to is gone)", () => {
    const { options, write } = smallProject();
    write("a.ts", "export const a = 1;\n");
    write("b.ts", 'import { a } from "./a";\nexport const b = a;\n');
    fs.mkdirSync(path.join(options.outDir, "lib"), { recursive: true });
    fs.writeFileSync(path.join(options.outDir, "lib", "removed.js"), "module.exports = 1;\n");
    build(options);
    assert.deepEqual(fs.readdirSync(options.outDir, { recursive: true }).map(String).sort(), [
      "a.js",
      "b.js",
      BUILD_MANIFEST,
      "lib", // the folder stays, empty
    ]);
    assert.equal(staleBuildMessage(options.outDir), undefined);
  });

  it("fails on a syntax error, naming the file and line, and writes nothing", () => {
    const { options, write } = smallProject();
    write("a.ts", 'export const a = "reviewed";\n');
    write("b.ts", 'import { a } from "./a";\nexport const b = a;\n');
    build(options);
    const before = fs.readFileSync(path.join(options.outDir, "a.js"), "utf8");
    // An edit to one file and a syntax error in another: neither may reach the build.
    write("a.ts", 'export const a = "not reviewed";\n');
    write("b.ts", "export const b = ;\n");
    assert.throws(
      () => build(options),
      (err: Error) => {
        assert.match(err.message, /b\.ts\(1,18\): error TS1109: Expression expected\./);
        return true;
      },
    );
    assert.equal(fs.readFileSync(path.join(options.outDir, "a.js"), "utf8"), before);
    assert.match(
      staleBuildMessage(options.outDir)!,
      /2 changed or removed since \(.*a\.ts, .*b\.ts\)$/,
    );
    // Put back as they were, the sources are those of the build on disk again.
    write("a.ts", 'export const a = "reviewed";\n');
    write("b.ts", 'import { a } from "./a";\nexport const b = a;\n');
    assert.equal(staleBuildMessage(options.outDir), undefined);
  });

  it("records what else decides the output: tsconfig files, this script, the TypeScript version", () => {
    const inputs = Object.keys(manifest().sources).filter(
      (f) => !f.endsWith(".ts") || f.startsWith("scripts/"),
    );
    assert.deepEqual(inputs, [
      "node_modules/typescript/package.json",
      "scripts/build.ts",
      "tsconfig.build.json",
      "tsconfig.json",
    ]);
  });

  it("records every file it wrote, so a changed or missing one is caught", () => {
    const written = fs
      .readdirSync(dir(), { recursive: true })
      .map(String)
      .filter((f) => f !== BUILD_MANIFEST && !fs.statSync(path.join(dir(), f)).isDirectory());
    assert.deepEqual(Object.keys(manifest().outputs), written.sort());
  });
});
