/**
 * The driver's documentation agrees with the driver: the README's exit-code table with the codes
 * `--help` prints, and the minimum Pulumi CLI version stated in one place only.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { helpText } from "../args";
import { ExitCode, exitCodeTable } from "../exitCodes";

const repoRoot = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), "utf8");

/** The rows of the README's Pipelines exit-code table: codes of the first cell -> meaning. */
function readmeExitRows(): Map<number, string> {
  const pipelines = read("README.md")
    .split(/^## /m)
    .find((s) => s.startsWith("Pipelines"));
  assert.ok(pipelines, "README.md has no Pipelines section");
  const rows = new Map<number, string>();
  for (const line of pipelines.split("\n")) {
    const cells = /^\|\s*([\d /]+?)\s*\|\s*(.+?)\s*\|$/.exec(line);
    if (!cells?.[1] || !cells[2]) continue;
    for (const code of cells[1].split("/")) rows.set(Number(code.trim()), cells[2]);
  }
  return rows;
}

describe("driver docs", () => {
  it("the README's exit codes are those --help prints, and both say exit 6 is also 'no stack named'", () => {
    const rows = readmeExitRows();
    assert.deepEqual(
      [...rows.keys()].sort((a, b) => a - b),
      exitCodeTable.map(([code]) => code),
    );
    assert.match(rows.get(ExitCode.StackNotFound) ?? "", /stack not found.*or no stack named/);
    assert.match(helpText(), /^ +6 {2}stack not found .*or no stack named$/m);
  });

  it("the minimum Pulumi CLI version is stated once, in docs/pipelines.md; the others refer to it", () => {
    const files = [
      "README.md",
      "docs/pipelines.md",
      "docs/github-actions/entra-aws-federation.yml",
      "docs/azure-pipelines/azure-pipelines.yml",
      ...fs
        .readdirSync(path.join(repoRoot, "automation"))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => `automation/${f}`),
    ];
    const places = files.flatMap((file) =>
      (read(file).match(/v?3\.226\.1/g) ?? []).map(() => file),
    );
    assert.deepEqual(places, ["docs/pipelines.md"]);
    assert.match(read("docs/pipelines.md"), /\*\*Minimum Pulumi CLI version: v3\.226\.1\*\*/);
    assert.match(read("README.md"), /docs\/pipelines\.md#minimum-pulumi-cli/);
    assert.match(helpText(), /at least the version\s+docs\/pipelines\.md names/);
    assert.doesNotMatch(helpText(), /3\.226/);
  });
});
