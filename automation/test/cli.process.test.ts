/**
 * The driver as a real child process: the built JavaScript (tests/support/build.ts builds it once
 * per run), and `npm run deploy` for the chain a pipeline uses. What does not need a process is
 * tested in cli.test.ts. No Pulumi CLI exists on this machine, so these runs prove for real what
 * happens when it is missing; the stand-in (fixtures/fake-pulumi.js) plays it otherwise.
 *
 * Every wait is on an event (a line the driver printed, an event the stand-in logged, the
 * process exiting), never on time passing, so a loaded machine makes the tests slower, not red.
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { builtPath } from "../../tests/support/build";
import { commandNames } from "../args";
import { exitCodeTable } from "../exitCodes";
import { isAlive, StandIn, until, type Step } from "./standIn";

const repoRoot = path.resolve(__dirname, "..", "..");
const nodeDir = path.dirname(process.execPath);
const fakeClock = path.join(__dirname, "fixtures", "fake-clock.js");

function runCli(args: string[], env: Record<string, string> = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-cli-home-"));
  try {
    const result = spawnSync(
      process.execPath,
      [builtPath("program/dist/automation/cli.js"), ...args],
      {
        cwd: repoRoot,
        encoding: "utf8",
        // PATH holds only Node's own directory: no `pulumi` anywhere. HOME is empty: no `pulumi login`.
        env: { PATH: nodeDir, HOME: home, ...env },
      },
    );
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** A child's output as it arrives, its exit, and waits on what it prints. */
function watch(child: ChildProcess) {
  let stdout = "";
  let stderr = "";
  let exitCode: number | null | undefined;
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  /** Waits until stderr matches (fails at once if the child exits without printing it). */
  const waitFor = async (pattern: RegExp) => {
    await until(() => (pattern.test(stderr) || exitCode !== undefined ? true : undefined));
    assert.match(stderr, pattern);
  };
  return { child, exited, waitFor, stdout: () => stdout, stderr: () => stderr };
}

describe("cli (real child process)", function () {
  // Only a hang should reach this: every wait is on an event, and beside twelve CPU-bound
  // processes on two cores a child process starts ten times slower than on an idle machine.
  this.timeout(120_000);

  before(function () {
    if (fs.existsSync(path.join(nodeDir, "pulumi"))) this.skip();
  });

  it("--help documents every command and exit code, exit 0", () => {
    const { code, stdout, stderr } = runCli(["--help"]);
    assert.equal(code, 0);
    assert.equal(stderr, "");
    for (const command of commandNames) assert.match(stdout, new RegExp(`^  ${command} `, "m"));
    for (const [exitCode] of exitCodeTable)
      assert.match(stdout, new RegExp(`^ +${exitCode}  `, "m"));
  });

  it("--help into a pipe whose reader has gone (`| head -1`): quiet, exit 0, no stack trace", () => {
    // The reader closes its end first and only then lets the driver start, so the driver's write
    // always meets a closed pipe (EPIPE); without the handshake the test could pass by luck.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-epipe-"));
    try {
      const closed = path.join(dir, "closed");
      const script = `{ until [ -e "$CLOSED" ]; do sleep 0.01; done; "$NODE" "$CLI" --help; echo "exit $?" >&2; } | { exec 0<&-; : > "$CLOSED"; }`;
      const result = spawnSync("sh", ["-c", script], {
        encoding: "utf8",
        env: {
          PATH: `${nodeDir}:/usr/bin:/bin`,
          CLOSED: closed,
          NODE: process.execPath,
          CLI: builtPath("program/dist/automation/cli.js"),
        },
      });
      assert.equal(result.stderr, "exit 0\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a usage error: exit 2, one line on stderr, nothing on stdout", () => {
    const { code, stdout, stderr } = runCli(["deploy-everything", "--stack", "dev"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      "deploy: error: Unknown command 'deploy-everything'. Commands: preview, up, refresh, drift, outputs, destroy.\n",
    );
  });

  it("missing Pulumi CLI: one line with how to install it, exit 1, no stack trace", () => {
    const { code, stdout, stderr } = runCli(["up", "--stack", "dev"], {
      PULUMI_CONFIG_PASSPHRASE: "x",
    });
    assert.equal(code, 1);
    assert.equal(stdout, "");
    const lines = stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, stderr);
    assert.match(
      lines[0] ?? "",
      /^deploy: error: the Pulumi CLI was not found; install it with .*get\.pulumi\.com/,
    );
    assert.doesNotMatch(stderr, /^\s+at /m);
  });

  it("missing Pulumi CLI with --json: the summary names the cause", () => {
    const { code, stdout } = runCli(["preview", "--stack", "dev", "--json"], {
      PULUMI_STACK: "ignored",
    });
    assert.equal(code, 1);
    const summary = JSON.parse(stdout) as {
      result: string;
      error: { kind: string };
      stack: string;
    };
    assert.equal(summary.result, "failed");
    assert.equal(summary.error.kind, "cli-missing");
    assert.equal(summary.stack, "dev");
  });
});

describe("cli signals (real child process, stand-in pulumi binary)", function () {
  // Only a hang should reach this: every wait is on an event, and beside twelve CPU-bound
  // processes on two cores a child process starts ten times slower than on an idle machine.
  this.timeout(120_000);
  let standIn: StandIn;
  let driver: ChildProcess | undefined;

  beforeEach(() => {
    standIn = new StandIn();
    driver = undefined;
  });

  afterEach(() => {
    if (driver?.exitCode === null && driver.signalCode === null) driver.kill("SIGKILL");
    standIn.cleanup();
  });

  function start(scenario: Record<string, Step>, clock?: "frozen" | "leap") {
    const child = spawn(
      process.execPath,
      [
        ...(clock ? ["-r", fakeClock] : []),
        builtPath("program/dist/automation/cli.js"),
        "up",
        "--stack",
        "dev",
      ],
      {
        cwd: repoRoot,
        env: {
          PATH: `${standIn.bin}${path.delimiter}${nodeDir}`,
          HOME: standIn.dir,
          PULUMI_BACKEND_URL: `file://${standIn.dir}/state`,
          ...(clock ? { FAKE_CLOCK: clock } : {}),
          ...standIn.env(scenario),
        },
      },
    );
    driver = child;
    return watch(child);
  }

  const sigints = (pid: number) =>
    standIn.events().filter((e) => e.pid === pid && e.event === "sigint").length;

  it("SIGINT cancels the running update through the CLI and exits 8", async () => {
    const run = start({ up: { hang: true } });
    await standIn.waitForEvent("hanging", "up");
    run.child.kill("SIGINT");
    assert.equal(await run.exited, 8, run.stderr());
    assert.match(run.stderr(), /received SIGINT: cancelling/);
    assert.match(run.stderr(), /update cancelled/);
  });

  it("a repeated signal within the 2 s window is ignored: the update is cancelled once, exit 8", async () => {
    const release = path.join(standIn.dir, "release");
    const run = start({ up: { hang: true, cancelWhenExists: release } }, "frozen");
    const pid = await standIn.waitForEvent("hanging", "up");
    run.child.kill("SIGINT");
    await run.waitFor(/received SIGINT: cancelling/);
    await standIn.waitForEvent("sigint", "up");
    run.child.kill("SIGINT");
    await run.waitFor(/received SIGINT again within 2 s .*: still cancelling/);
    // Only now may the stand-in finish its graceful cancellation.
    fs.writeFileSync(release, "");
    assert.equal(await run.exited, 8, run.stderr());
    assert.doesNotMatch(run.stderr(), /stopping the Pulumi CLI now/);
    // The repeat was not passed on, and the stand-in finished by itself: it was not killed.
    assert.equal(sigints(pid), 1);
    assert.match(run.stderr(), /update cancelled/);
  });

  it("a genuine second signal (later than the window) stops the Pulumi CLI child, then exits 8", async () => {
    // The stand-in ignores SIGINT and never ends by itself: only the driver killing it ends it.
    const run = start({ up: { hang: true, ignoreSigint: true } }, "leap");
    const pid = await standIn.waitForEvent("hanging", "up");
    run.child.kill("SIGTERM");
    await run.waitFor(/received SIGTERM: cancelling/);
    await standIn.waitForEvent("sigint", "up");
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 8, run.stderr());
    assert.match(run.stderr(), /received SIGTERM again: stopping the Pulumi CLI now and exiting/);
    // Interrupted twice (the SDK, then the driver's "terminate"), then killed: it must not
    // outlive the driver.
    assert.equal(sigints(pid), 2);
    assert.equal(isAlive(pid), false, `stand-in pulumi ${pid} is still running`);
  });

  it("SIGTERM while `pulumi version` hangs (the SDK gives it no signal): exit 8, no CLI left running", async () => {
    const run = start({ version: { hang: true } });
    const pid = await standIn.waitForEvent("hanging", "version");
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 8, run.stderr());
    assert.match(run.stderr(), /received SIGTERM: cancelling/);
    assert.match(
      run.stderr(),
      /^deploy: error: cancelled by signal.*\(up on stack 'dev': cancelled, exit 8\)$/m,
    );
    assert.equal(isAlive(pid), false, `stand-in pulumi ${pid} is still running`);
    assert.deepEqual(
      standIn.calls().map((c) => c.args[0]),
      ["version"],
    );
  });
});

/** The `npm run deploy` chain a pipeline uses: npm -> (sh, replaced by exec) -> node -> pulumi. */
describe("npm run deploy (real npm, stand-in pulumi binary)", function () {
  // Only a hang should reach this: every wait is on an event, and beside twelve CPU-bound
  // processes on two cores a child process starts ten times slower than on an idle machine.
  this.timeout(120_000);
  let standIn: StandIn;
  let npm: string | undefined;
  let started: ChildProcess | undefined;

  before(function () {
    const found = spawnSync("sh", ["-c", "command -v npm"], { encoding: "utf8" });
    npm = found.status === 0 ? found.stdout.trim() : undefined;
    if (!npm) this.skip();
  });

  beforeEach(() => {
    standIn = new StandIn();
    started = undefined;
  });

  afterEach(() => {
    if (started?.exitCode === null && started.signalCode === null) {
      // Its own process group (detached) or a single process: stop whatever is left.
      try {
        process.kill(-(started.pid as number), "SIGKILL");
      } catch {
        started.kill("SIGKILL");
      }
    }
    standIn.cleanup();
  });

  const baseEnv = () => ({
    HOME: standIn.dir,
    npm_config_update_notifier: "false",
    PULUMI_BACKEND_URL: `file://${standIn.dir}/state`,
  });

  function startNpm(extraEnv: Record<string, string> = {}) {
    const child = spawn(
      npm as string,
      ["run", "--silent", "deploy", "--", "up", "--stack", "dev", "--json"],
      {
        cwd: repoRoot,
        // Its own process group, like a terminal's foreground job, so the test can signal the
        // whole group the way Ctrl-C does.
        detached: true,
        env: {
          PATH: [standIn.bin, nodeDir, path.dirname(npm as string)].join(path.delimiter),
          ...baseEnv(),
          ...standIn.env({ up: { hang: true } }),
          ...extraEnv,
        },
      },
    );
    started = child;
    return watch(child);
  }

  it("SIGTERM to npm reaches the driver: the update is cancelled, npm exits 8", async () => {
    const run = startNpm();
    const pid = await standIn.waitForEvent("hanging", "up");
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 8, run.stderr());
    assert.match(run.stderr(), /received SIGTERM: cancelling/);
    assert.match(run.stderr(), /update cancelled/);
    assert.equal((JSON.parse(run.stdout()) as { result: string }).result, "cancelled");
    assert.equal(isAlive(pid), false);
  });

  it("docs/azure-pipelines/deploy.sh forwards the agent's SIGINT to the driver: exit 8", async () => {
    // The part of deploy.sh after the cloud logins: the trap and the driver runs.
    const script = fs.readFileSync(
      path.join(repoRoot, "docs", "azure-pipelines", "deploy.sh"),
      "utf8",
    );
    const from = script.indexOf('driver_pid=""');
    assert.ok(from > 0, "deploy.sh no longer has the signal-forwarding section");
    fs.writeFileSync(path.join(standIn.dir, "t.sh"), `set -euo pipefail\n${script.slice(from)}`);
    const child = spawn("bash", [path.join(standIn.dir, "t.sh")], {
      cwd: repoRoot,
      env: {
        PATH: [standIn.bin, nodeDir, path.dirname(npm as string), "/usr/bin", "/bin"].join(
          path.delimiter,
        ),
        ...baseEnv(),
        PULUMI_STACK: "dev",
        DEPLOY_ARGS: "up",
        RESULT_FILE: path.join(standIn.dir, "up.json"),
        ...standIn.env({ up: { hang: true } }),
      },
    });
    started = child;
    const run = watch(child);
    const pid = await standIn.waitForEvent("hanging", "up");
    child.kill("SIGINT");
    assert.equal(await run.exited, 8, run.stderr());
    assert.match(run.stdout(), /driver exit code: 8/);
    assert.match(run.stderr(), /received SIGINT: cancelling/);
    const summary = JSON.parse(fs.readFileSync(path.join(standIn.dir, "up.json"), "utf8")) as {
      result: string;
    };
    assert.equal(summary.result, "cancelled");
    assert.equal(isAlive(pid), false);
  });

  it("SIGINT to the process group (terminal Ctrl-C): cancelled once, npm exits 8", async () => {
    // The driver gets the signal twice (from the terminal and from npm); a frozen clock keeps the
    // second inside the repeat window however late a loaded machine delivers it.
    const run = startNpm({ NODE_OPTIONS: `--require ${fakeClock}`, FAKE_CLOCK: "frozen" });
    const pid = await standIn.waitForEvent("hanging", "up");
    process.kill(-(run.child.pid as number), "SIGINT");
    assert.equal(await run.exited, 8, run.stderr());
    assert.match(run.stderr(), /received SIGINT: cancelling/);
    assert.doesNotMatch(run.stderr(), /stopping the Pulumi CLI now/);
    assert.equal((JSON.parse(run.stdout()) as { result: string }).result, "cancelled");
    assert.equal(isAlive(pid), false);
  });
});
