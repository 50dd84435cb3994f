import * as assert from "node:assert/strict";
import {
  commandNames,
  helpText,
  parseCommandLine,
  type ParsedCommand,
  type UsageError,
} from "../args";
import { ExitCode, exitCodeTable } from "../exitCodes";

const cwd = "/work/repo";
const ok = (argv: string[], env: Record<string, string> = {}): ParsedCommand => {
  const r = parseCommandLine(argv, env, cwd);
  assert.equal(r.kind, "run", JSON.stringify(r));
  return r;
};
const bad = (argv: string[], env: Record<string, string> = {}): UsageError => {
  const r = parseCommandLine(argv, env, cwd);
  assert.equal(r.kind, "usage-error", JSON.stringify(r));
  return r;
};

describe("args", () => {
  it("parses every command with --stack", () => {
    for (const command of commandNames) {
      const extra = command === "destroy" ? ["--confirm", "dev"] : [];
      const r = ok([command, "--stack", "dev", ...extra]);
      assert.equal(r.command, command);
      assert.equal(r.stack, "dev");
      assert.equal(r.json, false);
    }
  });

  it("takes the stack from PULUMI_STACK, and --stack wins over it", () => {
    assert.equal(ok(["up"], { PULUMI_STACK: "prod" }).stack, "prod");
    assert.equal(ok(["up", "-s", "dev"], { PULUMI_STACK: "prod" }).stack, "dev");
  });

  it("accepts org/project/stack names and rejects odd ones", () => {
    assert.equal(
      ok(["up", "--stack", "acme/entra-aws-federation/prod"]).stack,
      "acme/entra-aws-federation/prod",
    );
    const r = bad(["up", "--stack", "dev; rm -rf /"]);
    assert.equal(r.exitCode, ExitCode.InvalidConfig);
  });

  it("rejects stack names with '.' or '..' parts or a part starting with '-' (exit 2, before any CLI)", () => {
    for (const stack of [
      ".",
      "..",
      "../prod",
      "acme/../prod",
      "acme/./prod",
      "a/b/..",
      "-x",
      "acme/-x",
    ]) {
      for (const r of [bad(["up", `--stack=${stack}`]), bad(["up"], { PULUMI_STACK: stack })]) {
        assert.equal(r.exitCode, ExitCode.InvalidConfig, stack);
        assert.equal(
          r.message,
          `Invalid stack name '${stack}' (--stack or PULUMI_STACK): use 'name', 'org/name' or 'org/project/name', each part of letters, digits, '_', '.', '-', not starting with '-' and not '.' or '..'.`,
        );
      }
    }
    for (const stack of ["v1.2", "x..y", "...", "acme/.hidden", "a-b/c_d/e.f"]) {
      assert.equal(ok(["up", "--stack", stack]).stack, stack);
    }
    assert.equal(bad(["up", "--stack", "a/b/c/d"]).exitCode, ExitCode.InvalidConfig);
  });

  it("no stack at all: exit 6 (as the Pulumi CLI for 'no stack selected')", () => {
    const r = bad(["preview"]);
    assert.equal(r.exitCode, ExitCode.StackNotFound);
    assert.match(r.message, /--stack <name> or set PULUMI_STACK/);
  });

  it("collects repeatable --policy-pack as absolute paths", () => {
    const r = ok(["preview", "-s", "dev", "--policy-pack", "policy", "--policy-pack", "/abs/p2"]);
    assert.deepEqual(r.policyPacks, ["/work/repo/policy", "/abs/p2"]);
  });

  it("parses the option set of each command", () => {
    const p = ok([
      "preview",
      "-s",
      "d",
      "--diff",
      "--refresh",
      "--expect-no-changes",
      "--json",
      "-m",
      "x",
    ]);
    assert.deepEqual(
      [p.diff, p.refresh, p.expectNoChanges, p.json, p.message],
      [true, true, true, true, "x"],
    );
    const d = ok(["destroy", "-s", "d", "--confirm", "d", "--exclude-protected"]);
    assert.deepEqual([d.confirm, d.excludeProtected], ["d", true]);
    assert.equal(ok(["outputs", "-s", "d", "--show-secrets"]).showSecrets, true);
    const c = ok(["up", "-s", "d", "--create", "--secrets-provider", "awskms://alias/pulumi"]);
    assert.deepEqual([c.create, c.secretsProvider], [true, "awskms://alias/pulumi"]);
  });

  it("rejects options that do not apply to the command (exit 2)", () => {
    for (const argv of [
      ["drift", "-s", "d", "--policy-pack", "p"],
      ["outputs", "-s", "d", "--diff"],
      ["up", "-s", "d", "--confirm", "d"],
      ["preview", "-s", "d", "--show-secrets"],
      ["destroy", "-s", "d", "--confirm", "d", "--create"],
    ]) {
      const r = bad(argv);
      assert.equal(r.exitCode, ExitCode.InvalidConfig);
      assert.match(r.message, /does not apply/);
    }
  });

  it("usage errors: unknown option, unknown command, no command, extra argument, missing value", () => {
    assert.match(bad(["up", "-s", "d", "--yes"]).message, /Unknown option '--yes'/);
    assert.match(bad(["deploy", "-s", "d"]).message, /Unknown command 'deploy'/);
    assert.match(bad([]).message, /No command given/);
    assert.match(bad(["up", "extra", "-s", "d"]).message, /Unexpected argument 'extra'/);
    assert.match(bad(["up", "--stack"]).message, /argument missing/);
    assert.match(
      bad(["up", "-s", "d", "--secrets-provider", "x"]).message,
      /only applies together with --create/,
    );
    for (const r of [bad(["up", "--bogus"]), bad([])])
      assert.equal(r.exitCode, ExitCode.InvalidConfig);
  });

  it("remembers --json on usage errors so the CLI can still print a summary", () => {
    const r = bad(["outputs", "-s", "d", "--json", "--diff"]);
    assert.equal(r.json, true);
    assert.equal(r.command, "outputs");
  });

  it("names the command even when the options do not parse (so `outputs --json` keeps stdout empty)", () => {
    const r = bad(["outputs", "--json", "--bogus", "-s", "d"]);
    assert.deepEqual(
      [r.json, r.command, r.message],
      [true, "outputs", "Unknown option '--bogus'. Run with --help for usage."],
    );
    assert.equal(bad(["--bogus", "deploy-all"]).command, undefined);
    // One line, even where Node's own message has several.
    assert.equal(
      bad(["up", "--stack", "-x"]).message,
      "Option '--stack' argument is ambiguous. Run with --help for usage.",
    );
  });

  it("--help anywhere, or `help`, asks for help", () => {
    assert.equal(parseCommandLine(["--help"], {}, cwd).kind, "help");
    assert.equal(parseCommandLine(["up", "-h"], {}, cwd).kind, "help");
    assert.equal(parseCommandLine(["help"], {}, cwd).kind, "help");
  });

  it("help documents every command, every option and every exit code", () => {
    const text = helpText();
    for (const command of commandNames) assert.match(text, new RegExp(`^  ${command} `, "m"));
    for (const option of [
      "--stack",
      "--create",
      "--secrets-provider",
      "--diff",
      "--refresh",
      "--policy-pack",
      "--expect-no-changes",
      "--message",
      "--confirm",
      "--exclude-protected",
      "--show-secrets",
      "--json",
      "PULUMI_STACK",
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE_FILE",
    ]) {
      assert.ok(text.includes(option), option);
    }
    for (const [code] of exitCodeTable) assert.match(text, new RegExp(`^ +${code}  `, "m"));
  });
});
