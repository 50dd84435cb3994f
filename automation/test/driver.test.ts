import * as assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../lib/config";
import { parseCommandLine, type ParsedCommand } from "../args";
import { runDriver, PROTECT_CONFIG_KEY } from "../driver";
import { CliMissingError, DriverError } from "../errors";
import { ExitCode } from "../exitCodes";
import type { OperationOptions, OutputMap, PreviewOptions, DestroyOptions } from "../stackBackend";
import { Captured, FakeBackend, sdkError } from "./helpers";

const CLIENT_SECRET = "s3cr3t-Value~with.chars_123";
const PASSPHRASE = "correct horse battery staple";

const roles = { reader: { arn: "arn:aws:iam::1:role/r", name: "r", subjects: ["p1"] } };
const identities = { web: { clientId: "c1", principalId: "p1", resourceId: "/subs/x" } };
const callerApps = {
  synapse: { clientId: "c2", servicePrincipalObjectId: "sp2", clientSecret: CLIENT_SECRET },
};
/** As the adapter reports them: clear values and the CLI's masked form. */
const sampleOutputs: OutputMap = {
  tenantId: {
    value: "11111111-1111-1111-1111-111111111111",
    masked: "11111111-1111-1111-1111-111111111111",
  },
  audience: {
    value: "api://22222222-2222-2222-2222-222222222222",
    masked: "api://22222222-2222-2222-2222-222222222222",
  },
  identities: { value: identities, masked: identities },
  callerApps: { value: callerApps, masked: "[secret]" },
  roles: { value: roles, masked: roles },
};

function parse(argv: string[]): ParsedCommand {
  const parsed = parseCommandLine(argv, {}, "/repo");
  assert.equal(parsed.kind, "run", JSON.stringify(parsed));
  return parsed;
}

interface RunOptions {
  backend?: FakeBackend;
  openBackend?: () => Promise<FakeBackend>;
  controller?: AbortController;
}

async function run(argv: string[], opts: RunOptions = {}) {
  const backend = opts.backend ?? new FakeBackend("dev");
  const captured = new Captured();
  const controller = opts.controller ?? new AbortController();
  let opened = 0;
  let clock = 1000;
  const code = await runDriver(parse(argv), {
    openBackend: () => {
      opened += 1;
      return opts.openBackend ? opts.openBackend() : Promise.resolve(backend);
    },
    stdout: captured.stdout,
    stderr: captured.stderr,
    signal: controller.signal,
    now: () => (clock += 250),
    knownSecrets: [PASSPHRASE],
  });
  return { code, captured, backend, opened };
}

const failWith = (err: Error) => () => Promise.reject(err);

describe("driver (against a fake backend)", () => {
  describe("stack selection", () => {
    it("selects the existing stack and runs the command on it", async () => {
      const { code, backend } = await run(["preview", "--stack", "dev"]);
      assert.equal(code, ExitCode.Ok);
      assert.deepEqual(
        backend.stack().calls.map((c) => c.method),
        ["preview", "outputs"],
      );
      assert.deepEqual(backend.created, []);
    });

    it("exits 6 when the stack does not exist and --create is absent", async () => {
      const { code, captured, backend } = await run(["up", "--stack", "prod", "--json"]);
      assert.equal(code, ExitCode.StackNotFound);
      assert.deepEqual(backend.created, []);
      const summary = captured.json();
      assert.equal(summary.result, "failed");
      assert.deepEqual(summary.error, {
        kind: "stack-not-found",
        message: "stack 'prod' was not found in the backend; pass --create to create it",
      });
    });

    it("creates a missing stack with --create, then runs the command", async () => {
      const { code, backend } = await run(["up", "--stack", "prod", "--create"]);
      assert.equal(code, ExitCode.Ok);
      assert.deepEqual(backend.created, ["prod"]);
      assert.deepEqual(
        backend.stack("prod").calls.map((c) => c.method),
        ["up", "outputs"],
      );
    });

    it("does not create when selection fails for another reason", async () => {
      const backend = new FakeBackend("dev");
      backend.selectError = sdkError({ exitCode: 3, stderr: "error: unauthorized: 401" });
      const { code } = await run(["up", "--stack", "dev", "--create"], { backend });
      assert.equal(code, ExitCode.Auth);
      assert.deepEqual(backend.created, []);
    });
  });

  describe("options reach the stack", () => {
    it("preview: --diff, --refresh, --expect-no-changes, --policy-pack (absolute), --message", async () => {
      const { backend } = await run([
        "preview",
        "-s",
        "dev",
        "--diff",
        "--refresh",
        "--expect-no-changes",
        "--policy-pack",
        "policies/a",
        "--policy-pack",
        "/abs/b",
        "-m",
        "sha 123",
      ]);
      const opts = backend.stack().calls[0]?.opts as PreviewOptions;
      assert.equal(opts.diff, true);
      assert.equal(opts.refresh, true);
      assert.equal(opts.expectNoChanges, true);
      assert.deepEqual(opts.policyPacks, ["/repo/policies/a", "/abs/b"]);
      assert.equal(opts.message, "sha 123");
      assert.ok(opts.signal instanceof AbortSignal);
    });

    it("drift runs the preview-only refresh (detectDrift), never refresh or up", async () => {
      const { backend, code } = await run(["drift", "--stack", "dev"]);
      assert.equal(code, ExitCode.Ok);
      assert.deepEqual(
        backend.stack().calls.map((c) => c.method),
        ["detectDrift", "outputs"],
      );
    });
  });

  describe("exit codes", () => {
    const cases: Array<{
      name: string;
      command: string[];
      error: Error;
      code: number;
      kind: string;
    }> = [
      {
        name: "ConcurrentUpdateError (Pulumi Cloud 409)",
        command: ["up"],
        error: sdkError({
          exitCode: 255,
          stderr: "error: [409] Conflict: Another update is currently in progress.",
        }),
        code: ExitCode.Failure,
        kind: "concurrent-update",
      },
      {
        name: "ConcurrentUpdateError (DIY backend lock)",
        command: ["refresh"],
        error: sdkError({
          exitCode: 255,
          stderr:
            "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
        }),
        code: ExitCode.Failure,
        kind: "concurrent-update",
      },
      {
        name: "policy violation (CLI >= 3.226.1 exit 5)",
        command: ["preview", "--policy-pack", "p"],
        error: sdkError({ exitCode: 5, stderr: "error: preview failed" }),
        code: ExitCode.PolicyViolation,
        kind: "policy-violation",
      },
      {
        name: "policy violation (older CLI, exit 255, text only)",
        command: ["up", "--policy-pack", "p"],
        error: sdkError({
          exitCode: 255,
          stderr: "error: update failed",
          stdout:
            "Policy Violations:\n    [mandatory]  aws v0.0.1  no-wildcard-sub (role: aws:iam/role:Role)\n",
        }),
        code: ExitCode.PolicyViolation,
        kind: "policy-violation",
      },
      {
        name: "unexpected changes with --expect-no-changes",
        command: ["up", "--expect-no-changes"],
        error: sdkError({
          exitCode: 7,
          stderr: "error: no changes were expected but changes occurred",
        }),
        code: ExitCode.Drift,
        kind: "unexpected-changes",
      },
      {
        name: "invalid configuration thrown by the program",
        command: ["preview"],
        error: sdkError({
          exitCode: 255,
          stderr:
            "error: Running program '/repo' failed with an unhandled exception:\n    Error: Invalid configuration: roles.reader.subjects must not be empty\n        at Object.<anonymous> (/repo/lib/config.ts:10:11)",
        }),
        code: ExitCode.InvalidConfig,
        kind: "invalid-config",
      },
      {
        name: "missing required configuration (CLI)",
        command: ["up"],
        error: sdkError({
          exitCode: 255,
          stderr: "error: Missing required configuration variable 'entra-aws-federation:tenantId'",
        }),
        code: ExitCode.InvalidConfig,
        kind: "invalid-config",
      },
      {
        name: "passphrase not set for a passphrase stack",
        command: ["up"],
        error: sdkError({
          exitCode: 255,
          stderr:
            "error: getting secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables",
        }),
        code: ExitCode.InvalidConfig,
        kind: "passphrase-missing",
      },
      {
        name: "cancelled elsewhere (pulumi cancel)",
        command: ["up"],
        error: sdkError({ exitCode: 255, stderr: "error: update cancelled" }),
        code: ExitCode.Cancelled,
        kind: "cancelled",
      },
      {
        name: "authentication error passed through",
        command: ["up"],
        error: sdkError({ exitCode: 3, stderr: "error: getting user info: 401 Unauthorized" }),
        code: ExitCode.Auth,
        kind: "auth",
      },
      {
        name: "resource error passed through",
        command: ["up"],
        error: sdkError({ exitCode: 4, stderr: "error: creating IAM Role: AccessDenied" }),
        code: ExitCode.ResourceError,
        kind: "resource",
      },
      {
        name: "timeout passed through",
        command: ["up"],
        error: sdkError({ exitCode: 9, stderr: "error: operation timed out" }),
        code: ExitCode.Timeout,
        kind: "timeout",
      },
      {
        name: "a resource error (exit 4) whose output has an advisory policy report stays 4",
        command: ["up", "--policy-pack", "p"],
        error: sdkError({
          exitCode: 4,
          stderr: "error: creating IAM Role: AccessDenied",
          stdout: "Policy Violations:\n    [advisory]  aws v0.0.1  tags-present (role)\n",
        }),
        code: ExitCode.ResourceError,
        kind: "resource",
      },
      {
        name: "unexpected changes (exit 7) next to an advisory policy report stay 7",
        command: ["preview", "--expect-no-changes", "--policy-pack", "p"],
        error: sdkError({
          exitCode: 7,
          stderr: "error: no changes were expected but changes were proposed",
          stdout: "Policy Violations:\n    [advisory]  aws v0.0.1  tags-present (role)\n",
        }),
        code: ExitCode.Drift,
        kind: "unexpected-changes",
      },
      {
        name: "an auth error (exit 3) is not read as a policy violation",
        command: ["up"],
        error: sdkError({ exitCode: 3, stderr: "error: 403 Forbidden\nPolicy Violations:" }),
        code: ExitCode.Auth,
        kind: "auth",
      },
      {
        name: "a resource error (exit 4) quoting 'update cancelled' stays 4",
        command: ["up"],
        error: sdkError({
          exitCode: 4,
          stderr: "error: creating IAM Role: a previous update cancelled: Conflict",
        }),
        code: ExitCode.ResourceError,
        kind: "resource",
      },
      {
        name: "internal CLI error 255 becomes 1",
        command: ["up"],
        error: sdkError({ exitCode: 255, stderr: "error: something unexpected" }),
        code: ExitCode.Failure,
        kind: "failed",
      },
    ];
    for (const c of cases) {
      it(`${c.name} -> ${c.code}`, async () => {
        const backend = new FakeBackend("dev");
        const method =
          c.command[0] === "preview" ? "preview" : c.command[0] === "refresh" ? "refresh" : "up";
        backend.stack().behaviours[method] = failWith(c.error);
        const { code, captured } = await run([...c.command, "--stack", "dev", "--json"], {
          backend,
        });
        assert.equal(code, c.code);
        const summary = captured.json();
        assert.equal(summary.exitCode, c.code);
        assert.equal((summary.error as { kind: string }).kind, c.kind);
        assert.equal(summary.outputs, null);
        // One error line on stderr, no stack trace.
        const errorLines = captured.err.split("\n").filter((l) => l.startsWith("deploy: error:"));
        assert.equal(errorLines.length, 1);
        assert.doesNotMatch(captured.err, /^\s+at /m);
      });
    }

    it("a configuration error: every problem line in the JSON and in the log", async () => {
      let message = "";
      try {
        parseConfig(
          { "entra-aws-federation:tenantId": "x", "entra-aws-federation:bogus": "1" },
          { project: "entra-aws-federation", stack: "dev" },
        );
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        message = err.message;
      }
      const backend = new FakeBackend("dev");
      backend.stack().behaviours.preview = failWith(
        sdkError({ exitCode: 255, stderr: `error: ${message}\nerror: preview failed` }),
      );
      const { code, captured } = await run(["preview", "--stack", "dev", "--json"], { backend });
      assert.equal(code, ExitCode.InvalidConfig);
      assert.deepEqual(captured.json().error, { kind: "invalid-config", message });
      const [header, ...problems] = message.split("\n");
      assert.ok(problems.length >= 2);
      assert.ok(
        captured.err.includes(
          [
            `deploy: error: ${header} (preview on stack 'dev': failed, exit 2)`,
            ...problems,
            "",
          ].join("\n"),
        ),
        captured.err,
      );
    });

    it("up --expect-no-changes says in the log that it applies the changes before exiting 7", async () => {
      const { captured } = await run(["up", "--stack", "dev", "--expect-no-changes"]);
      assert.match(
        captured.err,
        /note: up --expect-no-changes still applies any changes .* guard with preview --expect-no-changes/,
      );
      const preview = await run(["preview", "--stack", "dev", "--expect-no-changes"]);
      assert.doesNotMatch(preview.captured.err, /note:/);
    });

    it("the error SDK classes are the real ones", () => {
      assert.equal(
        sdkError({ exitCode: 6, stderr: "error: no stack named 'x' found" }).name,
        "StackNotFoundError",
      );
      assert.equal(
        sdkError({ exitCode: 255, stderr: "error: the stack is currently locked by 1 lock(s)" })
          .name,
        "ConcurrentUpdateError",
      );
    });

    it("ConcurrentUpdateError gets its own message naming the lock and how to clear it", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().behaviours.up = failWith(
        sdkError({ exitCode: 255, stderr: "error: the stack is currently locked by 1 lock(s)." }),
      );
      const { captured } = await run(["up", "--stack", "dev"], { backend });
      assert.match(captured.err, /stack 'dev' is locked: another update is running on it/);
      assert.match(captured.err, /pulumi cancel --stack dev --yes/);
    });

    it("a missing Pulumi CLI: exit 1 and one line with how to install it", async () => {
      const { code, captured } = await run(["up", "--stack", "dev"], {
        openBackend: () => Promise.reject(new CliMissingError()),
      });
      assert.equal(code, ExitCode.Failure);
      const lines = captured.err.trimEnd().split("\n");
      assert.equal(lines.length, 1);
      assert.match(lines[0] ?? "", /Pulumi CLI was not found.*get\.pulumi\.com/);
    });

    it("a missing passphrase for the embedded backend: exit 2", async () => {
      const { code, captured } = await run(["up", "--stack", "dev", "--json"], {
        openBackend: () =>
          Promise.reject(
            new DriverError(
              "set PULUMI_CONFIG_PASSPHRASE",
              ExitCode.InvalidConfig,
              "passphrase-missing",
            ),
          ),
      });
      assert.equal(code, ExitCode.InvalidConfig);
      assert.equal((captured.json().error as { kind: string }).kind, "passphrase-missing");
    });
  });

  describe("drift", () => {
    it("exit 0 when nothing drifted", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().behaviours.detectDrift = () => Promise.resolve({ changes: { same: 7 } });
      const { code, captured } = await run(["drift", "--stack", "dev", "--json"], { backend });
      assert.equal(code, ExitCode.Ok);
      assert.equal(captured.json().result, "succeeded");
      assert.deepEqual(captured.json().changes, { same: 7 });
    });

    it("exit 7, result 'drift', with the engine's change counts, when reality differs", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().behaviours.detectDrift = (opts: OperationOptions) => {
        opts.onChanges?.({ update: 1, delete: 1, same: 5 });
        return Promise.reject(
          sdkError({ exitCode: 7, stderr: "error: no changes were expected but changes occurred" }),
        );
      };
      const { code, captured } = await run(["drift", "--stack", "dev", "--json"], { backend });
      assert.equal(code, ExitCode.Drift);
      const summary = captured.json();
      assert.equal(summary.result, "drift");
      assert.deepEqual(summary.changes, { update: 1, delete: 1, same: 5 });
      assert.equal((summary.error as { kind: string }).kind, "drift");
      // The drift message is the driver's own: no CLI runs to learn secrets to mask in it.
      assert.deepEqual(
        backend.stack().calls.map((c) => c.method),
        ["detectDrift"],
      );
    });

    it("exit 7 on an older CLI that exits 255 with the same message", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().behaviours.detectDrift = failWith(
        sdkError({ exitCode: 255, stderr: "error: no changes were expected but changes occurred" }),
      );
      const { code } = await run(["drift", "--stack", "dev"], { backend });
      assert.equal(code, ExitCode.Drift);
    });
  });

  describe("cancellation", () => {
    it("a signal during the operation aborts it and exits 8", async () => {
      const backend = new FakeBackend("dev");
      const controller = new AbortController();
      let sawAbort = false;
      backend.stack().behaviours.up = (opts) =>
        new Promise((_, reject) => {
          opts.signal.addEventListener("abort", () => {
            sawAbort = true;
            // What the SDK raises when the interrupted CLI exits.
            reject(sdkError({ exitCode: 8, stderr: "error: update cancelled" }));
          });
          setTimeout(() => controller.abort(), 5);
        });
      const { code, captured } = await run(["up", "--stack", "dev", "--json"], {
        backend,
        controller,
      });
      assert.ok(sawAbort);
      assert.equal(code, ExitCode.Cancelled);
      assert.equal(captured.json().result, "cancelled");
    });

    it("whatever the CLI reports after the signal, the result is cancelled (8)", async () => {
      const backend = new FakeBackend("dev");
      const controller = new AbortController();
      backend.stack().behaviours.refresh = () => {
        controller.abort();
        return Promise.reject(sdkError({ exitCode: 255, stderr: "error: signal: interrupt" }));
      };
      const { code } = await run(["refresh", "--stack", "dev"], { backend, controller });
      assert.equal(code, ExitCode.Cancelled);
    });

    it("a signal while destroy reads the protect key: destroy never starts, exit 8", async () => {
      const backend = new FakeBackend("dev");
      const controller = new AbortController();
      const stack = backend.stack();
      stack.getConfigValue = (key) => {
        stack.calls.push({ method: "getConfigValue", key });
        controller.abort();
        return Promise.resolve(undefined);
      };
      const { code, captured } = await run(["destroy", "--stack", "dev", "--confirm", "dev"], {
        backend,
        controller,
      });
      assert.equal(code, ExitCode.Cancelled);
      assert.deepEqual(
        stack.calls.map((c) => c.method),
        ["getConfigValue"],
      );
      assert.doesNotMatch(captured.err, /destroying stack/);
    });

    it("a signal while the stack's secrets are read after a failure: cancelled (8), not the failure", async () => {
      const backend = new FakeBackend("dev");
      const controller = new AbortController();
      const stack = backend.stack();
      stack.behaviours.up = failWith(sdkError({ exitCode: 4, stderr: "error: creating role" }));
      stack.outputs = () => {
        stack.calls.push({ method: "outputs" });
        controller.abort();
        return Promise.resolve(sampleOutputs);
      };
      const { code, captured } = await run(["up", "--stack", "dev", "--json"], {
        backend,
        controller,
      });
      assert.equal(code, ExitCode.Cancelled);
      assert.equal(captured.json().result, "cancelled");
      assert.deepEqual(
        stack.calls.map((c) => c.method),
        ["up", "outputs"],
      );
    });

    it("a signal before the operation starts: nothing runs, exit 8", async () => {
      const controller = new AbortController();
      controller.abort();
      const { code, opened } = await run(["up", "--stack", "dev"], { controller });
      assert.equal(code, ExitCode.Cancelled);
      assert.equal(opened, 0);
    });
  });

  describe("JSON summary and secret masking", () => {
    it("up --json prints exactly one document with the summary fields and masked outputs", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().outputsValue = sampleOutputs;
      backend.stack().behaviours.up = (opts) => {
        // The CLI's progress stream must reach stderr, never stdout.
        opts.onOutput("Updating (dev)\n");
        return Promise.resolve({ changes: { create: 4, same: 1 } });
      };
      const { code, captured } = await run(["up", "--stack", "dev", "--json"], { backend });
      assert.equal(code, ExitCode.Ok);
      const summary = captured.json();
      assert.deepEqual(Object.keys(summary).sort(), [
        "backend",
        "changes",
        "command",
        "durationMs",
        "exitCode",
        "outputs",
        "result",
        "stack",
      ]);
      assert.equal(summary.command, "up");
      assert.equal(summary.stack, "dev");
      assert.equal(summary.result, "succeeded");
      assert.equal(summary.exitCode, 0);
      assert.deepEqual(summary.changes, { create: 4, same: 1 });
      assert.equal(typeof summary.durationMs, "number");
      assert.equal(summary.durationMs, 250 * 1);
      assert.equal(summary.backend, "file:///fake/.pulumi-state (fake)");
      const outputs = summary.outputs as Record<string, unknown>;
      assert.equal(outputs.callerApps, "[secret]");
      assert.deepEqual(outputs.roles, sampleOutputs.roles?.value);
      assert.doesNotMatch(captured.out, /Updating/);
      assert.match(captured.err, /Updating \(dev\)/);
      // As the real adapter does: the outputs are read, masked as the CLI masks them, after up.
      assert.deepEqual(
        backend.stack().calls.map((c) => c.method),
        ["up", "outputs"],
      );
    });

    it("secrets never reach stdout or stderr, even if echoed by the CLI or in an error", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().outputsValue = sampleOutputs;
      backend.stack().behaviours.preview = (opts) => {
        opts.onOutput(`debug: passphrase is ${PASSPHRASE}\n`);
        return Promise.resolve({ changes: {} });
      };
      const { captured } = await run(["preview", "--stack", "dev", "--json"], { backend });
      assert.ok(!captured.out.includes(CLIENT_SECRET));
      assert.ok(!captured.err.includes(PASSPHRASE));
      assert.match(captured.err, /passphrase is \[secret\]/);

      backend.stack().behaviours.up = failWith(
        sdkError({ exitCode: 1, stderr: `error: bad value ${CLIENT_SECRET} / ${PASSPHRASE}` }),
      );
      const second = await run(["up", "--stack", "dev", "--json"], { backend });
      for (const secret of [CLIENT_SECRET, PASSPHRASE]) {
        assert.ok(!second.captured.err.includes(secret));
        assert.ok(!second.captured.out.includes(secret));
      }
      assert.match(second.captured.err, /bad value \[secret\] \/ \[secret\]/);
      assert.deepEqual(
        backend
          .stack()
          .calls.slice(-2)
          .map((c) => c.method),
        ["up", "outputs"],
      );
    });

    it("outputs --json prints the `pulumi stack output --json` map, secrets masked", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().outputsValue = sampleOutputs;
      const { code, captured } = await run(["outputs", "--stack", "dev", "--json"], { backend });
      assert.equal(code, ExitCode.Ok);
      const printed = JSON.parse(captured.out) as Record<string, unknown>;
      assert.deepEqual(printed, {
        tenantId: "11111111-1111-1111-1111-111111111111",
        audience: "api://22222222-2222-2222-2222-222222222222",
        identities: { web: { clientId: "c1", principalId: "p1", resourceId: "/subs/x" } },
        callerApps: "[secret]",
        roles: { reader: { arn: "arn:aws:iam::1:role/r", name: "r", subjects: ["p1"] } },
      });
      assert.ok(!captured.err.includes(CLIENT_SECRET));
    });

    it("outputs --json --show-secrets prints secret values in clear text on stdout only", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().outputsValue = sampleOutputs;
      const { captured } = await run(["outputs", "--stack", "dev", "--json", "--show-secrets"], {
        backend,
      });
      const printed = JSON.parse(captured.out) as { callerApps: unknown };
      assert.deepEqual(printed.callerApps, sampleOutputs.callerApps?.value);
      assert.ok(!captured.err.includes(CLIENT_SECRET));
    });

    it("outputs without --json: one `name: value` line per output, masked", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().outputsValue = sampleOutputs;
      const { captured } = await run(["outputs", "--stack", "dev"], { backend });
      assert.match(captured.out, /^callerApps: \[secret\]$/m);
      assert.match(captured.out, /^tenantId: 11111111-1111-1111-1111-111111111111$/m);
      assert.ok(!captured.out.includes(CLIENT_SECRET));
    });

    it("outputs that fail print nothing on stdout (an outputs.json artifact stays empty)", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().outputsError = sdkError({
        exitCode: 255,
        stderr: "error: failed to decrypt",
      });
      const { code, captured } = await run(["outputs", "--stack", "dev", "--json"], { backend });
      assert.equal(code, ExitCode.Failure);
      assert.equal(captured.out, "");
    });

    it("a failure to read outputs after a successful operation is only a warning", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().outputsError = sdkError({ exitCode: 255, stderr: "error: boom" });
      const { code, captured } = await run(["refresh", "--stack", "dev", "--json"], { backend });
      assert.equal(code, ExitCode.Ok);
      assert.equal(captured.json().outputs, null);
      assert.match(captured.err, /warning: could not read the stack outputs/);
    });
  });

  describe("destroy guards", () => {
    it("refuses without --confirm, before touching the backend (exit 2)", async () => {
      const { code, opened, captured } = await run(["destroy", "--stack", "dev", "--json"]);
      assert.equal(code, ExitCode.InvalidConfig);
      assert.equal(opened, 0);
      assert.equal(captured.json().result, "refused");
      assert.match(captured.err, /pass --confirm dev/);
    });

    it("refuses when --confirm names another stack", async () => {
      const { code, opened } = await run(["destroy", "--stack", "prod", "--confirm", "dev"]);
      assert.equal(code, ExitCode.InvalidConfig);
      assert.equal(opened, 0);
    });

    it("refuses a protected stack without --exclude-protected, and says why", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().config[PROTECT_CONFIG_KEY] = "true";
      const { code, captured } = await run(["destroy", "--stack", "dev", "--confirm", "dev"], {
        backend,
      });
      assert.equal(code, ExitCode.InvalidConfig);
      assert.ok(!backend.stack().calls.some((c) => c.method === "destroy"));
      assert.match(captured.err, /protected/);
      assert.match(captured.err, /--exclude-protected/);
      assert.match(captured.err, /never deletes protected resources/);
    });

    it("destroys a protected stack with --exclude-protected, keeping protected resources", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().config[PROTECT_CONFIG_KEY] = "True";
      const { code, captured } = await run(
        ["destroy", "--stack", "dev", "--confirm", "dev", "--exclude-protected"],
        { backend },
      );
      assert.equal(code, ExitCode.Ok);
      const call = backend.stack().calls.find((c) => c.method === "destroy");
      assert.equal((call?.opts as DestroyOptions).excludeProtected, true);
      assert.match(captured.err, /keeps the protected resources .* in the cloud and in the state/);
    });

    it("destroys an unprotected stack with the right --confirm", async () => {
      const backend = new FakeBackend("dev");
      backend.stack().config[PROTECT_CONFIG_KEY] = "false";
      const { code } = await run(["destroy", "--stack", "dev", "--confirm", "dev"], { backend });
      assert.equal(code, ExitCode.Ok);
      const call = backend.stack().calls.find((c) => c.method === "destroy");
      assert.equal((call?.opts as DestroyOptions).excludeProtected, false);
    });
  });
});
