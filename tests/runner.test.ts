import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { programEnv, runnerCommand } from "../bench/runtime";
import { devStack, type StackConfig } from "../bench/stacks";
import { CONFIG_NAMESPACE } from "../lib/config";
import { REPO_ROOT } from "../scripts/build";
import { ACCOUNT_ID, TENANT_ID } from "./fakeClouds";
import { builtPath } from "./support/build";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The built program started as the Node.js language host starts it (the SDK's runner, with its
 * source-map-support), the SDK's mocks as the engine (bench/mockEngine.ts).
 */
function runBuilt(config: StackConfig): Promise<Run> {
  const runner = runnerCommand(
    builtPath("bench-engine/bench/mockEngine.js"),
    builtPath("program/program.js"),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      runner.args,
      { env: programEnv(runner, config) },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe("the built program under the SDK's runner", () => {
  it("registers the dev stack's 31 resources", async () => {
    const { code, stdout, stderr } = await runBuilt(devStack());
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    assert.equal(report.resources, 31);
    // The runner's source-map-support is what the program's shortcut wraps (lib/promiseStacks.ts).
    assert.equal(report.promiseStacksUnmapped, true);
  });

  it("stops on bad configuration with the message naming the key, and no stack", async () => {
    const { code, stderr } = await runBuilt({
      ...devStack(),
      [`${CONFIG_NAMESPACE}:trustPolicyMaxLength`]: 99999,
    });
    // 32: the runner's nodeJSProcessExitedAfterLoggingUserActionableMessage (cmd/run/index.js).
    assert.equal(code, 32);
    assert.equal(
      stderr,
      "error: [runtime] Invalid configuration:\n" +
        `  ${CONFIG_NAMESPACE}:trustPolicyMaxLength: must be an integer from 2048 to 4096 (got 99999)\n`,
    );
  });

  it("shows an error's stack in TypeScript lines", async () => {
    const foreign = `arn:aws:iam::210987654321:oidc-provider/sts.windows.net/${TENANT_ID}/`;
    const expected = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/sts.windows.net/${TENANT_ID}/`;
    const { code, stderr } = await runBuilt({
      ...devStack(),
      [`${CONFIG_NAMESPACE}:oidcProvider`]: { existingArn: foreign },
    });
    assert.notEqual(code, 0);
    assert.ok(
      stderr.includes(
        `oidcProvider.existingArn ${foreign} is not this account's provider for the Entra issuer: expected ${expected}`,
      ),
      stderr,
    );
    // The frame of the throw in components/oidcProvider.ts, as the runner prints it.
    assert.ok(
      new RegExp(`\n {4}at ${REPO_ROOT}/components/oidcProvider\\.ts:\\d+:\\d+\n`).test(stderr),
      stderr,
    );
    assert.doesNotMatch(stderr, /oidcProvider\.js/);
  });
});
