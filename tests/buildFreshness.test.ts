import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BUILD_MANIFEST, buildManifest, staleBuildMessage } from "../lib/buildFreshness";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("build freshness (lib/buildFreshness.ts)", () => {
  let root: string;
  let outDir: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  /** A build of these files, its manifest as the build writes it. */
  const built = (files: readonly string[]) =>
    fs.writeFileSync(
      path.join(outDir, BUILD_MANIFEST),
      JSON.stringify(buildManifest(root, outDir, files)),
    );

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "entra-aws-build-"));
    outDir = path.join(root, "dist");
    fs.mkdirSync(outDir);
    write("index.ts", "export = 1;\n");
    write("lib/a.ts", "export const a = 1;\n");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("records each compiled file's SHA-256, sorted, and the repository relative to the build", () => {
    assert.deepEqual(buildManifest(root, outDir, ["lib/a.ts", "index.ts"]), {
      root: "..",
      sources: { "index.ts": sha256("export = 1;\n"), "lib/a.ts": sha256("export const a = 1;\n") },
    });
    assert.equal(buildManifest(root, root, ["index.ts"]).root, ".");
  });

  it("refuses to record a file that is not there", () => {
    assert.throws(() => buildManifest(root, outDir, ["gone.ts"]), {
      message: "gone.ts: compiled, but not on disk",
    });
  });

  const cases: { title: string; change: () => void; message: (root: string) => string }[] = [
    {
      title: "a changed file",
      change: () => write("lib/a.ts", "export const a = 2;\n"),
      message: (r) =>
        `the build in ${r}/dist is not of the sources in ${r}: 1 changed or removed since (lib/a.ts)`,
    },
    {
      title: "a removed file",
      change: () => fs.rmSync(path.join(root, "index.ts")),
      message: (r) =>
        `the build in ${r}/dist is not of the sources in ${r}: 1 changed or removed since (index.ts)`,
    },
    {
      title: "both",
      change: () => {
        fs.rmSync(path.join(root, "index.ts"));
        write("lib/a.ts", "");
      },
      message: (r) =>
        `the build in ${r}/dist is not of the sources in ${r}: 2 changed or removed since (index.ts, lib/a.ts)`,
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
    write("lib/a.ts", "export const a = 1;\n");
    write("lib/new.ts", "export const unused = 1;\n"); // imported by nothing that was compiled
    assert.equal(staleBuildMessage(outDir), undefined);
  });

  it("lists five changed files and an ellipsis for more", () => {
    const files = Array.from({ length: 7 }, (_, i) => `f${i}.ts`);
    for (const file of files) write(file, "1");
    built(files);
    for (const file of files) write(file, "2");
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
