/**
 * The real adapter (pulumiWorkspace.ts) and the real Automation API SDK, driving a STAND-IN
 * `pulumi` executable (test/fixtures/fake-pulumi.js) because the real CLI cannot be installed
 * here. This proves what the SDK is asked to run (arguments, work dir, backend variables), how
 * the SDK's own errors come back for given exit codes and messages, and that cancellation really
 * interrupts the child process. It does NOT prove how the real Pulumi CLI behaves: the stand-in's
 * answers are modelled on Pulumi's documented exit codes and messages.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommandLine, type ParsedCommand } from "../args";
import { runDriver } from "../driver";
import { ExitCode } from "../exitCodes";
import { openPulumiBackend, relayLateAbort } from "../pulumiWorkspace";
import { Captured } from "./helpers";
import { commandOf, StandIn, type StandInCall, type Step } from "./standIn";

describe("pulumiWorkspace adapter (real SDK, stand-in pulumi binary)", function () {
  // Only a hang should reach this: every wait is on an event, and beside twelve CPU-bound
  // processes on two cores a child process starts ten times slower than on an idle machine.
  this.timeout(120_000);
  let standIn: StandIn;
  let tmp: string;
  let repo: string;
  const saved: Record<string, string | undefined> = {};
  const touched = [
    "PATH",
    "FAKE_PULUMI_LOG",
    "FAKE_PULUMI_EVENTS",
    "FAKE_PULUMI_SCENARIO",
    "PULUMI_BACKEND_URL",
    "PULUMI_ACCESS_TOKEN",
  ];

  beforeEach(() => {
    standIn = new StandIn();
    tmp = standIn.dir;
    repo = path.join(tmp, "repo");
    fs.mkdirSync(repo);
    fs.writeFileSync(
      path.join(repo, "Pulumi.yaml"),
      "name: entra-aws-federation\nruntime: nodejs\n",
    );
    for (const k of touched) saved[k] = process.env[k];
    process.env.PATH = `${standIn.bin}${path.delimiter}${saved.PATH ?? ""}`;
    delete process.env.PULUMI_BACKEND_URL;
    delete process.env.PULUMI_ACCESS_TOKEN;
  });

  afterEach(() => {
    for (const k of touched) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    standIn.cleanup();
  });

  const scenario = (s: Record<string, Step>) => {
    Object.assign(process.env, standIn.env(s));
  };
  const calls = () => standIn.calls();
  const logFile = () => standIn.logFile;

  async function run(
    argv: string[],
    opts: { env?: Record<string, string | undefined>; controller?: AbortController } = {},
  ) {
    const parsed = parseCommandLine(argv, {}, "/work") as ParsedCommand;
    assert.equal(parsed.kind, "run");
    const captured = new Captured();
    const env = {
      PULUMI_HOME: path.join(tmp, "pulumi-home"),
      PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
      ...opts.env,
    };
    const code = await runDriver(parsed, {
      openBackend: (o) => openPulumiBackend({ repoRoot: repo, env, ...o }),
      stdout: captured.stdout,
      stderr: captured.stderr,
      signal: (opts.controller ?? new AbortController()).signal,
      now: () => Date.now(),
    });
    return { code, captured };
  }

  it("preview: runs the repository's program with the embedded file backend and the options", async () => {
    scenario({});
    const { code, captured } = await run([
      "preview",
      "--stack",
      "dev",
      "--diff",
      "--refresh",
      "--policy-pack",
      "/abs/policy",
      "-m",
      "sha-1",
      "--json",
    ]);
    assert.equal(code, ExitCode.Ok, captured.err);
    const all = calls();
    assert.deepEqual(all.map(commandOf), [
      "version",
      "stack select",
      "preview",
      "stack output",
      "stack output",
    ]);
    const preview = all[2];
    assert.ok(preview);
    for (const a of ["--diff", "--refresh", "--non-interactive"])
      assert.ok(preview.args.includes(a), a);
    assert.deepEqual(
      preview.args.slice(
        preview.args.indexOf("--policy-pack"),
        preview.args.indexOf("--policy-pack") + 2,
      ),
      ["--policy-pack", "/abs/policy"],
    );
    assert.equal(preview.args[preview.args.indexOf("--message") + 1], "sha-1");
    assert.equal(preview.args[preview.args.indexOf("--stack") + 1], "dev");
    assert.equal(fs.realpathSync(preview.cwd), fs.realpathSync(repo));
    assert.equal(preview.backendUrl, `file://${repo}/.pulumi-state`);
    assert.ok(fs.statSync(path.join(repo, ".pulumi-state")).isDirectory());
    assert.match(String(captured.json().backend), /embedded default/);
  });

  it("drift: `refresh --preview-only --expect-no-changes`; the CLI's exit 7 becomes exit 7", async () => {
    scenario({
      refresh: { exitCode: 7, stderr: "error: no changes were expected but changes occurred\n" },
    });
    const { code, captured } = await run(["drift", "--stack", "dev", "--json"]);
    assert.equal(code, ExitCode.Drift);
    assert.equal(captured.json().result, "drift");
    const refresh = calls().find((c) => commandOf(c) === "refresh");
    assert.ok(refresh);
    assert.ok(refresh.args.includes("--preview-only"));
    assert.ok(refresh.args.includes("--expect-no-changes"));
    assert.ok(!refresh.args.includes("--yes"));
  });

  it("missing stack: the SDK raises StackNotFoundError -> exit 6; with --create `stack init` runs", async () => {
    scenario({ "stack select": { exitCode: 6, stderr: "error: no stack named 'dev' found\n" } });
    const missing = await run(["up", "--stack", "dev"]);
    assert.equal(missing.code, ExitCode.StackNotFound);
    assert.ok(!calls().some((c) => commandOf(c) === "up"));

    fs.rmSync(logFile());
    const created = await run([
      "up",
      "--stack",
      "dev",
      "--create",
      "--secrets-provider",
      "awskms://alias/p",
    ]);
    assert.equal(created.code, ExitCode.Ok, created.captured.err);
    const init = calls().find((c) => commandOf(c) === "stack init");
    assert.ok(init);
    assert.equal(init.args[init.args.indexOf("--secrets-provider") + 1], "awskms://alias/p");
    const up = calls().find((c) => commandOf(c) === "up");
    assert.ok(up?.args.includes("--yes") && up.args.includes("--skip-preview"));
  });

  it("embedded default, no passphrase: --create --secrets-provider awskms:// needs none; a passphrase stack does", async () => {
    const noPassphrase = { env: { PULUMI_CONFIG_PASSPHRASE: undefined } };
    scenario({ "stack select": { exitCode: 6, stderr: "error: no stack named 'dev' found\n" } });
    const created = await run(
      ["up", "--stack", "dev", "--create", "--secrets-provider", "awskms://alias/p", "--json"],
      noPassphrase,
    );
    assert.equal(created.code, ExitCode.Ok, created.captured.err);
    assert.match(String(created.captured.json().backend), /embedded default, awskms secrets/);
    const init = calls().find((c) => commandOf(c) === "stack init");
    assert.equal(init?.args[init.args.indexOf("--secrets-provider") + 1], "awskms://alias/p");

    // An existing stack whose Pulumi.<stack>.yaml names a KMS provider: no passphrase either.
    scenario({});
    fs.writeFileSync(
      path.join(repo, "Pulumi.kms.yaml"),
      "secretsprovider: awskms://alias/p\nencryptedkey: abc\nconfig: {}\n",
    );
    const kms = await run(["preview", "--stack", "kms"], noPassphrase);
    assert.equal(kms.code, ExitCode.Ok, kms.captured.err);

    // A passphrase stack (encryptionsalt) without a passphrase: exit 2 before running the CLI.
    fs.writeFileSync(path.join(repo, "Pulumi.pp.yaml"), "encryptionsalt: v1:abc\nconfig: {}\n");
    fs.rmSync(logFile());
    const pp = await run(["preview", "--stack", "pp", "--json"], noPassphrase);
    assert.equal(pp.code, ExitCode.InvalidConfig);
    assert.equal((pp.captured.json().error as { kind: string }).kind, "passphrase-missing");
    assert.ok(!calls().some((c) => commandOf(c) === "preview"));
  });

  it("locked stack: the SDK raises ConcurrentUpdateError -> exit 1 with the lock message", async () => {
    scenario({
      up: {
        exitCode: 255,
        stderr:
          "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n",
      },
    });
    const { code, captured } = await run(["up", "--stack", "dev", "--json"]);
    assert.equal(code, ExitCode.Failure);
    assert.equal((captured.json().error as { kind: string }).kind, "concurrent-update");
  });

  it("policy violation: the CLI's exit 5 becomes exit 5", async () => {
    scenario({ preview: { exitCode: 5, stderr: "error: preview failed\n" } });
    const { code } = await run(["preview", "--stack", "dev", "--policy-pack", "/p"]);
    assert.equal(code, ExitCode.PolicyViolation);
  });

  it("up: change counts from the update history and outputs with secrets masked", async () => {
    scenario({
      "stack history": {
        stdout: JSON.stringify([
          {
            kind: "update",
            result: "succeeded",
            startTime: "2026-01-01T00:00:00Z",
            endTime: "2026-01-01T00:01:00Z",
            resourceChanges: { create: 2, same: 1 },
          },
        ]),
      },
      "stack output": { stdout: JSON.stringify({ tenantId: "t-1", callerApps: "[secret]" }) },
      "stack output --show-secrets": {
        stdout: JSON.stringify({
          tenantId: "t-1",
          callerApps: { a: { clientSecret: "very-secret-value" } },
        }),
      },
    });
    const { code, captured } = await run(["up", "--stack", "dev", "--json"]);
    assert.equal(code, ExitCode.Ok, captured.err);
    const summary = captured.json();
    assert.deepEqual(summary.changes, { create: 2, same: 1 });
    assert.deepEqual(summary.outputs, { tenantId: "t-1", callerApps: "[secret]" });
    assert.ok(!captured.out.includes("very-secret-value"));
    assert.ok(!captured.err.includes("very-secret-value"));
  });

  it("destroy: reads only the protect key (`config get`, nothing decrypted); refuses, or passes --exclude-protected", async () => {
    scenario({
      "config get": { stdout: JSON.stringify({ value: "true", secret: false }) },
    });
    const refused = await run(["destroy", "--stack", "dev", "--confirm", "dev"]);
    assert.equal(refused.code, ExitCode.InvalidConfig);
    assert.ok(!calls().some((c) => commandOf(c) === "destroy"));
    const configCalls = calls().filter((c) => c.args[0] === "config");
    assert.deepEqual(
      configCalls.map((c) => c.args),
      [
        [
          "config",
          "get",
          "entra-aws-federation:protect",
          "--json",
          "--stack",
          "dev",
          "--non-interactive",
        ],
      ],
    );

    const done = await run([
      "destroy",
      "--stack",
      "dev",
      "--confirm",
      "dev",
      "--exclude-protected",
    ]);
    assert.equal(done.code, ExitCode.Ok, done.captured.err);
    const destroy = calls().find((c) => commandOf(c) === "destroy");
    assert.ok(destroy?.args.includes("--exclude-protected"));
  });

  it("destroy: a stack that does not set the protect key is not protected", async () => {
    scenario({
      "config get": {
        exitCode: 255,
        stderr:
          "error: configuration key 'entra-aws-federation:protect' not found for stack 'dev'\n",
      },
    });
    const { code, captured } = await run(["destroy", "--stack", "dev", "--confirm", "dev"]);
    assert.equal(code, ExitCode.Ok, captured.err);
    const destroy = calls().find((c) => commandOf(c) === "destroy");
    assert.ok(destroy && !destroy.args.includes("--exclude-protected"));
  });

  it("a secret nested in a non-secret output is masked where the CLI masks it, never printed", async () => {
    const masked = {
      tenantId: "t-1",
      callerApps: "[secret]",
      roles: { reader: { arn: "arn:aws:iam::1:role/r", externalKey: "[secret]" } },
    };
    const clear = {
      tenantId: "t-1",
      callerApps: { a: { clientSecret: "very-secret-value" } },
      roles: { reader: { arn: "arn:aws:iam::1:role/r", externalKey: "nested-secret-value" } },
    };
    scenario({
      "stack output": { stdout: JSON.stringify(masked) },
      "stack output --show-secrets": { stdout: JSON.stringify(clear) },
    });
    const up = await run(["up", "--stack", "dev", "--json"]);
    assert.equal(up.code, ExitCode.Ok, up.captured.err);
    assert.deepEqual(up.captured.json().outputs, masked);

    const out = await run(["outputs", "--stack", "dev", "--json"]);
    assert.equal(out.code, ExitCode.Ok, out.captured.err);
    assert.deepEqual(JSON.parse(out.captured.out), masked);
    for (const text of [up.captured.out, up.captured.err, out.captured.out, out.captured.err]) {
      assert.ok(!text.includes("nested-secret-value"), text);
      assert.ok(!text.includes("very-secret-value"), text);
    }

    const shown = await run(["outputs", "--stack", "dev", "--json", "--show-secrets"]);
    assert.deepEqual(JSON.parse(shown.captured.out), clear);
  });

  it("a configured backend (PULUMI_BACKEND_URL=s3://...) is used as is, no passphrase required", async () => {
    scenario({});
    process.env.PULUMI_BACKEND_URL = "s3://state-bucket/entra?region=eu-west-1";
    const { code, captured } = await run(["preview", "--stack", "dev", "--json"], {
      env: {
        PULUMI_BACKEND_URL: "s3://state-bucket/entra?region=eu-west-1",
        PULUMI_CONFIG_PASSPHRASE: "",
      },
    });
    assert.equal(code, ExitCode.Ok, captured.err);
    assert.equal(captured.json().backend, "s3://state-bucket/entra (PULUMI_BACKEND_URL)");
    assert.ok(calls().every((c) => c.backendUrl === "s3://state-bucket/entra?region=eu-west-1"));
    assert.ok(!fs.existsSync(path.join(repo, ".pulumi-state")));
  });

  it("backend.url in Pulumi.yaml is respected (azblob://)", async () => {
    scenario({});
    fs.appendFileSync(
      path.join(repo, "Pulumi.yaml"),
      "backend:\n  url: azblob://state?storage_account=acct\n",
    );
    const { code, captured } = await run(["preview", "--stack", "dev", "--json"]);
    assert.equal(code, ExitCode.Ok, captured.err);
    assert.equal(captured.json().backend, "azblob://state (backend.url in Pulumi.yaml)");
    assert.ok(calls().every((c) => c.backendUrl === null));
  });

  /**
   * One signal at any stage: the stand-in hangs in `command` until interrupted; the driver is
   * aborted once it is there and must interrupt exactly that CLI call, start no other, exit 8.
   */
  for (const stage of [
    { command: "stack select", argv: ["up", "--stack", "dev", "--json"] },
    { command: "config get", argv: ["destroy", "--stack", "dev", "--confirm", "dev", "--json"] },
    { command: "up", argv: ["up", "--stack", "dev", "--json"] },
    { command: "stack output", argv: ["outputs", "--stack", "dev", "--json"] },
  ]) {
    it(`one SIGTERM while the driver runs \`${stage.command}\`: that CLI call is interrupted, exit 8`, async () => {
      scenario({ [stage.command]: { hang: true } });
      const controller = new AbortController();
      const running = run(stage.argv, { controller });
      const pid = await standIn.waitForEvent("hanging", stage.command);
      controller.abort();
      const { code, captured } = await running;
      assert.equal(code, ExitCode.Cancelled, captured.err);
      assert.deepEqual(
        standIn.events().filter((e) => e.pid === pid),
        [
          { pid, event: "hanging", command: stage.command },
          { pid, event: "sigint", command: stage.command },
        ],
      );
      // Nothing ran after the interrupted call.
      assert.equal(commandOf(calls().at(-1) as StandInCall), stage.command);
      if (stage.argv[0] === "outputs") assert.equal(captured.out, "");
      else assert.equal(captured.json().result, "cancelled");
    });
  }

  it("one SIGTERM while `pulumi version` runs (the SDK passes it no signal): the driver stops waiting, exit 8", async () => {
    scenario({ version: { hang: true } });
    const controller = new AbortController();
    const running = run(["up", "--stack", "dev", "--json"], { controller });
    await standIn.waitForEvent("hanging", "version");
    controller.abort();
    const { code, captured } = await running;
    assert.equal(code, ExitCode.Cancelled, captured.err);
    assert.equal(captured.json().result, "cancelled");
    assert.deepEqual(calls().map(commandOf), ["version"]);
    // The entry point (cli.ts) stops that child; cli.process.test.ts proves it for the real process.
  });

  it("a Pulumi CLI killed by SIGKILL: the error says it was killed and by which signal", async () => {
    scenario({ up: { killSelf: "SIGKILL" } });
    const { code, captured } = await run(["up", "--stack", "dev", "--json"]);
    assert.equal(code, ExitCode.Failure);
    const message =
      "the Pulumi CLI was killed by signal SIGKILL (Forced termination) during `up`: another process or the system (out of memory?) ended it, so it could not report the result. The stack may be left locked with pending operations: run `refresh` (and `pulumi cancel --stack dev --yes` if it stays locked)";
    assert.deepEqual(captured.json().error, { kind: "killed", message });
    assert.ok(
      captured.err
        .split("\n")
        .includes(`deploy: error: ${message} (up on stack 'dev': failed, exit 1)`),
      captured.err,
    );
    assert.doesNotMatch(captured.err, /code: -2/);
  });

  it("a stack missing in the backend with --json: exactly one JSON document on stdout, exit 6", async () => {
    scenario({ "stack select": { exitCode: 6, stderr: "error: no stack named 'dev' found\n" } });
    const { code, captured } = await run(["preview", "--stack", "dev", "--json"]);
    assert.equal(code, ExitCode.StackNotFound);
    const summary = JSON.parse(captured.out) as Record<string, unknown>;
    assert.deepEqual(
      { ...summary, durationMs: 0 },
      {
        command: "preview",
        stack: "dev",
        result: "failed",
        exitCode: 6,
        changes: {},
        outputs: null,
        durationMs: 0,
        backend: `file://${repo}/.pulumi-state (embedded default, passphrase secrets)`,
        error: {
          kind: "stack-not-found",
          message: "stack 'dev' was not found in the backend; pass --create to create it",
        },
      },
    );
  });

  it("an abort while the SDK is still setting up (no CLI yet) still interrupts the CLI it starts", async () => {
    scenario({ up: { hang: true } });
    const controller = new AbortController();
    const backend = await openPulumiBackend({
      repoRoot: repo,
      stack: "dev",
      env: { PULUMI_HOME: path.join(tmp, "pulumi-home"), PULUMI_CONFIG_PASSPHRASE: "p" },
      signal: controller.signal,
    });
    const stack = await backend.selectStack("dev");
    const up = stack.up({
      signal: controller.signal,
      onOutput: () => undefined,
      diff: false,
      refresh: false,
      expectNoChanges: false,
      policyPacks: [],
    });
    controller.abort(); // the SDK is still preparing its arguments: no CLI process exists yet
    // Without relaying the abort, the hanging stand-in would run until the test times out; with
    // it, the CLI gets SIGINT as soon as it is spawned (before or after installing its handler).
    await assert.rejects(
      up,
      /killed with SIGINT \(User interruption with CTRL-C\): pulumi up |update cancelled/,
    );
  });

  it("relayLateAbort calls a listener subscribed after the abort, once, and passes others through", async () => {
    const controller = new AbortController();
    const relayed = relayLateAbort(controller.signal);
    const seen: string[] = [];
    relayed.addEventListener("abort", () => seen.push("before"));
    controller.abort();
    relayed.addEventListener("abort", () => seen.push("after"));
    relayed.addEventListener("abort", { handleEvent: (e) => seen.push(`object ${e.type}`) });
    await Promise.resolve();
    assert.deepEqual(seen, ["before", "after", "object abort"]);
    assert.equal(relayed.aborted, true);
  });
});
