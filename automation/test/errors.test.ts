import * as assert from "node:assert/strict";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { ConfigError, parseConfig } from "../../lib/config";
import {
  classifyError,
  cliExitCode,
  extractInvalidConfiguration,
  isCliNotFound,
  summarizeCliError,
} from "../errors";
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

/** The program's real ConfigError message for a bad configuration (three problems or more). */
function realConfigErrorMessage(): string {
  try {
    parseConfig(
      {
        "entra-aws-federation:tenantId": "not-a-guid",
        "entra-aws-federation:trustPolicyMaxLength": "x",
        "entra-aws-federation:bogus": "1",
      },
      { project: "entra-aws-federation", stack: "dev" },
    );
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error("parseConfig accepted a bad configuration");
}

/** Indents every line of `text` by `n` spaces, as the CLI's Diagnostics block does. */
const indent = (text: string, n: number) =>
  text
    .split("\n")
    .map((l) => " ".repeat(n) + l)
    .join("\n");

describe("configuration errors keep every problem line", () => {
  const message = realConfigErrorMessage();

  it("the program's ConfigError has a header and one indented line per problem", () => {
    const [header, ...problems] = message.split("\n");
    assert.equal(header, "Invalid configuration:");
    assert.ok(problems.length >= 3, message);
    for (const p of problems) assert.match(p, /^ {2}entra-aws-federation:\w+: /);
  });

  const embeddings: Array<[string, string, string]> = [
    [
      "RunError (`error: <message>`) in Diagnostics, then the CLI's summary",
      `Diagnostics:\n  pulumi:pulumi:Stack (entra-aws-federation-dev):\n${indent(`error: ${message}`, 4)}\n\n`,
      "error: preview failed",
    ],
    [
      "unhandled exception with a stack trace",
      `error: Running program '/repo' failed with an unhandled exception:\nConfigError: ${message}\n    at parseConfig (/repo/lib/config.ts:310:45)\n    at Object.<anonymous> (/repo/index.ts:18:5)`,
      "",
    ],
    [
      "unhandled exception indented in Diagnostics",
      indent(
        `error: Running program '/repo' failed with an unhandled exception:\n${message}\n    at parseConfig (/repo/lib/config.ts:310:45)`,
        4,
      ),
      "error: update failed",
    ],
  ];
  for (const [name, stdout, stderr] of embeddings) {
    it(`${name}: exit 2, the message exactly as the program wrote it`, () => {
      const err = sdkError({ exitCode: 255, stdout, stderr });
      const c = classifyError(err, { cancelled: false, stack: "dev" });
      assert.equal(c.exitCode, ExitCode.InvalidConfig);
      assert.equal(c.kind, "invalid-config");
      assert.equal(c.message, message);
    });
  }

  it("text after the header on the same line is kept; no problem lines is fine", () => {
    assert.equal(
      extractInvalidConfiguration(
        "error: Invalid configuration: x must be set\nerror: update failed",
      ),
      "Invalid configuration: x must be set",
    );
    assert.equal(extractInvalidConfiguration("error: something else"), undefined);
  });
});

describe("masking", () => {
  it('prints the CLI\'s masked form ("[secret]" where the CLI masks) unless showSecrets', () => {
    const outputs = {
      a: { value: 1, masked: 1 },
      b: { value: { k: "v" }, masked: "[secret]" },
      c: { value: { id: "x", key: "nested-secret" }, masked: { id: "x", key: "[secret]" } },
    };
    assert.deepEqual(maskOutputs(outputs), {
      a: 1,
      b: "[secret]",
      c: { id: "x", key: "[secret]" },
    });
    assert.deepEqual(maskOutputs(outputs, true), {
      a: 1,
      b: { k: "v" },
      c: { id: "x", key: "nested-secret" },
    });
  });

  it("the redactor replaces every masked leaf (top-level or nested) and known secrets", () => {
    const r = new Redactor();
    r.addSecretOutputs({
      s: { value: { x: ["token-abcdef"], y: "password1" }, masked: "[secret]" },
      n: {
        value: { id: "public-id-1", keys: ["nested-key-1", "public-2"] },
        masked: { id: "public-id-1", keys: ["[secret]", "public-2"] },
      },
    });
    r.add("passphrase!");
    r.add("abc"); // too short to redact safely
    assert.equal(
      r.redact("token-abcdef password1 nested-key-1 public-id-1 public-2 passphrase! abc"),
      "[secret] [secret] [secret] public-id-1 public-2 [secret] abc",
    );
  });
});
