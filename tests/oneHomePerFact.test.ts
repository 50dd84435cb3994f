import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

/** The one module allowed to name Entra's hosts and issuers. */
const ENTRA_FACTS = "credentials/src/entraCloud.ts";
const ENTRA_HOST = /sts\.windows\.net|login\.microsoftonline|chinacloudapi/i;

/** Source files of the repository: tracked or new, not ignored; tests, fixtures and docs aside. */
function sourceFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return listed
    .split("\n")
    .filter((file) => /\.(?:[cm]?js|ts)$/.test(file))
    .filter((file) => !/(?:^|\/)(?:tests?|fixtures|docs)\//.test(file))
    .filter((file) => !/\.test\.ts$/.test(file));
}

/** `file:line: text` for every line naming an Entra host. */
function entraHostLines(file: string, text: string): string[] {
  return text
    .split("\n")
    .flatMap((line, i) => (ENTRA_HOST.test(line) ? `${file}:${i + 1}: ${line.trim()}` : []));
}

describe("one home per fact", () => {
  it("finds an Entra host wherever a line names one", () => {
    const text = 'a\nconst issuer = "https://STS.windows.net/x/";\n// login.microsoftonline.us\n';
    assert.deepEqual(entraHostLines("x.ts", text), [
      'x.ts:2: const issuer = "https://STS.windows.net/x/";',
      "x.ts:3: // login.microsoftonline.us",
    ]);
  });

  it("reads the program's, the driver's and the helper's sources (and skips tests)", () => {
    const files = sourceFiles();
    for (const file of ["index.ts", "lib/trustPolicy.ts", "automation/cli.ts", ENTRA_FACTS]) {
      assert.ok(files.includes(file), file);
    }
    assert.deepEqual(
      files.filter((file) => file.startsWith("tests/")),
      [],
    );
  });

  it(`names Entra hosts and issuers only in ${ENTRA_FACTS}`, () => {
    const found = sourceFiles()
      .filter((file) => file !== ENTRA_FACTS)
      .flatMap((file) => entraHostLines(file, readFileSync(path.join(ROOT, file), "utf8")));
    assert.deepEqual(found, []);
  });
});
