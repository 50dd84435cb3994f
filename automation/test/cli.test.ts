/**
 * The entry point's main() in process: what it prints for usage errors and what it does before
 * any backend is opened. The real process (signals, pipes, a missing CLI) is cli.process.test.ts.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { findRepoRoot, main } from "../cli";
import { ExitCode } from "../exitCodes";
import { Captured } from "./helpers";

async function runMain(argv: string[], env: Record<string, string> = {}) {
  const captured = new Captured();
  let opened = 0;
  const code = await main({
    argv,
    env,
    cwd: "/work",
    stdout: captured.stdout,
    stderr: captured.stderr,
    signal: new AbortController().signal,
    openBackend: () => {
      opened++;
      return Promise.reject(new Error("no backend in this test"));
    },
  });
  return { code, captured, opened };
}

describe("cli main (in process)", () => {
  it("--json: a usage error still prints exactly one JSON document, whatever the arguments named", async () => {
    const cases = [
      {
        argv: ["deploy-everything", "--json"],
        code: ExitCode.InvalidConfig,
        command: null,
        message:
          "Unknown command 'deploy-everything'. Commands: preview, up, refresh, drift, outputs, destroy.",
      },
      {
        argv: ["up", "--json"],
        code: ExitCode.StackNotFound,
        command: "up",
        message: "No stack named: pass --stack <name> or set PULUMI_STACK.",
      },
      {
        argv: ["up", "--json", "--yes", "--stack", "dev"],
        code: ExitCode.InvalidConfig,
        command: "up",
        message: "Unknown option '--yes'. Run with --help for usage.",
      },
      {
        argv: ["preview", "--json", "--stack=../prod"],
        code: ExitCode.InvalidConfig,
        command: "preview",
        message:
          "Invalid stack name '../prod' (--stack or PULUMI_STACK): use 'name', 'org/name' or 'org/project/name', each part of letters, digits, '_', '.', '-', not starting with '-' and not '.' or '..'.",
      },
    ] as const;
    for (const c of cases) {
      const { code, captured, opened } = await runMain([...c.argv]);
      assert.equal(code, c.code, c.argv.join(" "));
      assert.equal(opened, 0);
      assert.equal(captured.err, `deploy: error: ${c.message}\n`);
      assert.deepEqual(JSON.parse(captured.out), {
        command: c.command,
        stack: null,
        result: "refused",
        exitCode: c.code,
        changes: {},
        outputs: null,
        durationMs: 0,
        backend: null,
        error: { kind: "usage", message: c.message },
      });
    }
  });

  it("--json: a usage error found after the stack was read names the stack", async () => {
    const { code, captured } = await runMain([
      "up",
      "--json",
      "-s",
      "dev",
      "--secrets-provider",
      "x",
    ]);
    assert.equal(code, ExitCode.InvalidConfig);
    assert.deepEqual([captured.json().command, captured.json().stack], ["up", "dev"]);
  });

  it("outputs --json: a usage error leaves stdout empty (the output map or nothing)", async () => {
    for (const argv of [
      ["outputs", "--json", "--diff", "-s", "dev"],
      ["outputs", "--json", "--bogus"],
      ["outputs", "--json"],
    ]) {
      const { code, captured } = await runMain(argv);
      assert.notEqual(code, ExitCode.Ok);
      assert.equal(captured.out, "", argv.join(" "));
      assert.match(captured.err, /^deploy: error: .*\n$/);
    }
  });

  it("destroy without --confirm is refused (exit 2) before any backend or Pulumi CLI", async () => {
    const { code, captured, opened } = await runMain(["destroy", "--stack", "dev"]);
    assert.equal(code, ExitCode.InvalidConfig);
    assert.equal(opened, 0);
    assert.match(captured.err, /destroy refused: pass --confirm dev/);
  });

  it("finds the repository from the sources, a build in dist/ and a test build under node_modules", () => {
    const repo = path.resolve(__dirname, "..", "..");
    for (const dir of ["automation", "dist/automation", "node_modules/.cache/x/build-1/automation"])
      assert.equal(findRepoRoot(path.join(repo, dir)), repo, dir);
  });
});
