import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

/** The program's layers, in the only direction imports may run. */
const LAYERS = ["index.ts", "components", "lib"] as const;
/** The credentials package's modules the program shares; only lib/ may import them. */
const SHARED = ["credentials/src/entraCloud.ts", "credentials/src/stackOutputContract.ts"];

function layerOf(file: string): number {
  return LAYERS.findIndex((layer) => file === layer || file.startsWith(`${layer}/`));
}

function programFiles(dir = ""): string[] {
  if (dir === "") return ["index.ts", ...programFiles("components"), ...programFiles("lib")];
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return programFiles(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

/** The repository files a source file imports by relative path. */
function relativeImports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/\bfrom\s+"(\.[^"]*)"/g)].map((m) => m[1]!);
  return specifiers.map((specifier) => {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    return readdirSync(path.join(ROOT, path.dirname(target))).includes(
      `${path.basename(target)}.ts`,
    )
      ? `${target}.ts`
      : `${target}/index.ts`;
  });
}

describe("imports run one way: index.ts → components → lib → the shared credentials modules", () => {
  it("reads every program file", () => {
    const files = programFiles();
    for (const file of ["index.ts", "components/federation.ts", "lib/config/rules.ts"]) {
      assert.ok(files.includes(file), file);
    }
  });

  it("has no import back up a layer, and only lib/ reaches into credentials/", () => {
    const wrong = programFiles().flatMap((file) =>
      relativeImports(file).flatMap((target) => {
        const upward = layerOf(target) !== -1 && layerOf(target) < layerOf(file);
        const outside = layerOf(target) === -1 && !(layerOf(file) === 2 && SHARED.includes(target));
        return upward || outside ? `${file} imports ${target}` : [];
      }),
    );
    assert.deepEqual(wrong, []);
  });
});
