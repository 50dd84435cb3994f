import * as assert from "node:assert/strict";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { classifyError, cliExitCode, isCliNotFound, summarizeCliError } from "../errors";
import { ExitCode } from "../exitCodes";
import { maskOutputs, Redactor } from "../masking";
import { sdkError } from "./helpers";

describe("error classification", () => {
  it("reads the CLI exit code from the SDK's CommandError", () => {
    assert.equal(cliExitCode(sdkError({ exitCode: 5, stderr: "error: x" })), 5);
    assert.equal(cliExitCode(new Error("Command failed with exit code 7: pulumi preview")), 7);
    assert.equal(cliExitCode(new Error("other")), undefined);
  });

  it("summarizes the CLI's error: lines, without stack frames", () => {
    const err = sdkError({
      exitCode: 255,
      stderr: "warning: w\nerror: first\n    at foo (bar.js:1:1)\nerror: second",
    });
    assert.equal(summarizeCliError(err), "first | second");
  });

  it("the real SDK, with no pulumi on PATH, fails in a way recognised as 'CLI missing'", async () => {
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent-dir-for-test";
    try {
      const err = await PulumiCommand.get().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err, "PulumiCommand.get() should fail without a CLI");
      assert.ok(isCliNotFound(err));
      const c = classifyError(err, { cancelled: false, stack: "dev" });
      assert.equal(c.exitCode, ExitCode.Failure);
      assert.equal(c.kind, "cli-missing");
    } finally {
      process.env.PATH = saved;
    }
  });

  it("StackNotFoundError -> 6 and ConcurrentUpdateError -> 1 by class, not by exit code", () => {
    const notFound = sdkError({ exitCode: 255, stderr: "error: no stack named 'dev' found" });
    assert.equal(classifyError(notFound, { cancelled: false, stack: "dev" }).exitCode, 6);
    const locked = sdkError({
      exitCode: 255,
      stderr: "error: the stack is currently locked by 1 lock(s)",
    });
    assert.equal(
      classifyError(locked, { cancelled: false, stack: "dev" }).kind,
      "concurrent-update",
    );
  });
});

describe("masking", () => {
  it('masks secret outputs as "[secret]" unless showSecrets', () => {
    const outputs = { a: { value: 1, secret: false }, b: { value: { k: "v" }, secret: true } };
    assert.deepEqual(maskOutputs(outputs), { a: 1, b: "[secret]" });
    assert.deepEqual(maskOutputs(outputs, true), { a: 1, b: { k: "v" } });
  });

  it("the redactor replaces every string leaf of secret outputs and known secrets", () => {
    const r = new Redactor();
    r.addSecretOutputs({ s: { value: { x: ["token-abcdef"], y: "password1" }, secret: true } });
    r.add("passphrase!");
    r.add("abc"); // too short to redact safely
    assert.equal(
      r.redact("token-abcdef and password1 and passphrase! and abc"),
      "[secret] and [secret] and [secret] and abc",
    );
  });
});
