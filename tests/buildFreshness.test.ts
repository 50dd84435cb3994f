import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BUILD_MANIFEST, buildManifest, sha256, staleBuildMessage } from "../lib/buildFreshness";

describe("build freshness (lib/buildFreshness.ts)", () => {
  let root: string;
  let outDir: string;
  const write = (dir: string, file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  /** A build of these sources as they are on disk, writing index.js and lib/a.js. */
  const built = (files: readonly string[]) => {
    const outputs = new Map([
      ["index.js", "module.exports = 1;\n"],
      ["lib/a.js", "exports.a = 1;\n"],
    ]);
    for (const [file, text] of outputs) write(outDir, file, text);
    const sources = new Map(files.map((f) => [f, fs.readFileSync(path.join(root, f))]));
    fs.writeFileSync(
      path.join(outDir, BUILD_MANIFEST),
      JSON.stringify(buildManifest(root, outDir, sources, outputs)),
    );
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "entra-aws-build-"));
    outDir = path.join(root, "dist");
    write(root, "index.ts", "export = 1;\n");
    write(root, "lib/a.ts", "export const a = 1;\n");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("records the SHA-256 of the contents given, sorted, and the repository relative to the build", () => {
    const sources = new Map<string, string | Buffer>([
      ["lib/a.ts", "export const a = 1;\n"],
      ["index.ts", Buffer.from("export = 1;\n")],
    ]);
    assert.deepEqual(buildManifest(root, outDir, sources, new Map([["index.js", "x"]])), {
      root: "..",
      sources: { "index.ts": sha256("export = 1;\n"), "lib/a.ts": sha256("export const a = 1;\n") },
      outputs: { "index.js": sha256("x") },
    });
    assert.equal(buildManifest(root, root, new Map(), new Map()).root, ".");
  });

  it("passes a build of the sources as they are", () => {
    built(["index.ts", "lib/a.ts"]);
    assert.equal(staleBuildMessage(outDir), undefined);
  });

  const cases: { title: string; change: () => void; message: (root: string) => string }[] = [
    {
      title: "a changed source",
      change: () => write(root, "lib/a.ts", "export const a = 2;\n"),
      message: (r) =>
        `the build in ${r}/dist is not of the sources in ${r}: 1 changed or removed since (lib/a.ts)`,
    },
    {
      title: "a removed source",
      change: () => fs.rmSync(path.join(root, "index.ts")),
      message: (r) =>
        `the build in ${r}/dist is not of the sources in ${r}: 1 changed or removed since (index.ts)`,
    },
    {
      title: "both",
      change: () => {
        fs.rmSync(path.join(root, "index.ts"));
        write(root, "lib/a.ts", "");
      },
      message: (r) =>
        `the build in ${r}/dist is not of the sources in ${r}: 2 changed or removed since (index.ts, lib/a.ts)`,
    },
    {
      title: "a built file changed since (a failed build's half, an edit)",
      change: () => write(outDir, "lib/a.js", "exports.a = 2;\n"),
      message: (r) =>
        `the build in ${r}/dist is not the one its manifest records: 1 of its files changed or missing (lib/a.js)`,
    },
    {
      title: "a built file missing",
      change: () => fs.rmSync(path.join(outDir, "index.js")),
      message: (r) =>
        `the build in ${r}/dist is not the one its manifest records: 1 of its files changed or missing (index.js)`,
    },
  ];
  for (const { title, change, message } of cases) {
    it(`names ${title}`, () => {
      built(["index.ts", "lib/a.ts"]);
      change();
      assert.equal(staleBuildMessage(outDir), message(root));
    });
  }

  it("is content, not time: a file written again unchanged keeps the build current", () => {
    built(["index.ts", "lib/a.ts"]);
    write(root, "lib/a.ts", "export const a = 1;\n");
    write(root, "lib/new.ts", "export const unused = 1;\n"); // imported by nothing compiled
    assert.equal(staleBuildMessage(outDir), undefined);
  });

  it("lists five changed files and an ellipsis for more", () => {
    const files = Array.from({ length: 7 }, (_, i) => `f${i}.ts`);
    for (const file of files) write(root, file, "1");
    built(files);
    for (const file of files) write(root, file, "2");
    assert.equal(
      staleBuildMessage(outDir),
      `the build in ${outDir} is not of the sources in ${root}: 7 changed or removed since (f0.ts, f1.ts, f2.ts, f3.ts, f4.ts, …)`,
    );
  });

  it("says when there is no manifest to compare with", () => {
    const manifest = path.join(outDir, BUILD_MANIFEST);
    assert.equal(
      staleBuildMessage(outDir),
      `${manifest} cannot be read (ENOENT: no such file or directory, open '${manifest}')`,
    );
  });
});
