/**
 * The CLI as a real child process (`node -r ts-node/register automation/cli.ts ...`), as
 * `npm run deploy` runs it. No Pulumi CLI exists on this machine, so these runs prove for real
 * what happens when it is missing.
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { commandNames } from "../args";
import { exitCodeTable } from "../exitCodes";

const repoRoot = path.resolve(__dirname, "..", "..");
const nodeDir = path.dirname(process.execPath);

function runCli(args: string[], env: Record<string, string> = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-cli-home-"));
  const result = spawnSync(
    process.execPath,
    ["-r", "ts-node/register", "automation/cli.ts", ...args],
    {
      cwd: repoRoot,
      encoding: "utf8",
      // PATH holds only Node's own directory: no `pulumi` anywhere. HOME is empty: no `pulumi login`.
      env: { PATH: nodeDir, HOME: home, ...env },
      timeout: 20000,
    },
  );
  fs.rmSync(home, { recursive: true, force: true });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("cli (real child process)", function () {
  this.timeout(30000);

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

  it("a usage error: exit 2, one line on stderr, nothing on stdout", () => {
    const { code, stdout, stderr } = runCli(["deploy-everything", "--stack", "dev"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(stderr.trimEnd().split("\n").length, 1);
    assert.match(stderr, /^deploy: error: Unknown command 'deploy-everything'/);
  });

  it("destroy without --confirm is refused (exit 2) before looking for the Pulumi CLI", () => {
    const { code, stderr } = runCli(["destroy", "--stack", "dev"]);
    assert.equal(code, 2);
    assert.match(stderr, /destroy refused: pass --confirm dev/);
    assert.doesNotMatch(stderr, /Pulumi CLI/);
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

/** A temp dir whose bin/ holds a `pulumi` that runs the stand-in CLI. */
function makeStandIn(): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-cli-signal-"));
  const bin = path.join(tmp, "bin");
  fs.mkdirSync(bin);
  const fixture = path.join(__dirname, "fixtures", "fake-pulumi.js");
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/bin/sh\nexec "${process.execPath}" "${fixture}" "$@"\n`,
    { mode: 0o755 },
  );
  return tmp;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops any stand-in CLI a test left behind (only the pids it logged). */
function killLogged(tmp: string): void {
  const log = path.join(tmp, "calls.jsonl");
  if (!fs.existsSync(log)) return;
  for (const line of fs.readFileSync(log, "utf8").trim().split("\n")) {
    const { pid } = JSON.parse(line) as { pid: number };
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

describe("cli signals (real child process, stand-in pulumi binary)", function () {
  this.timeout(30000);
  let tmp: string;

  beforeEach(() => {
    tmp = makeStandIn();
  });

  afterEach(() => {
    killLogged(tmp);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const upPid = () => {
    const lines = fs.readFileSync(path.join(tmp, "calls.jsonl"), "utf8").trim().split("\n");
    const up = lines
      .map((l) => JSON.parse(l) as { args: string[]; pid: number })
      .find((c) => c.args[0] === "up");
    assert.ok(up, "the stand-in CLI never ran `up`");
    return up.pid;
  };

  function start(scenario: object) {
    const child = spawn(
      process.execPath,
      ["-r", "ts-node/register", "automation/cli.ts", "up", "--stack", "dev"],
      {
        cwd: repoRoot,
        env: {
          PATH: `${path.join(tmp, "bin")}${path.delimiter}${nodeDir}`,
          HOME: tmp,
          PULUMI_BACKEND_URL: `file://${tmp}/state`,
          FAKE_PULUMI_LOG: path.join(tmp, "calls.jsonl"),
          FAKE_PULUMI_SCENARIO: JSON.stringify(scenario),
        },
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 200 && !pattern.test(stderr); i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(stderr, pattern);
    };
    return { child, exited, waitFor, stderr: () => stderr };
  }

  it("SIGINT cancels the running update through the CLI and exits 8", async () => {
    const run = start({ up: { hang: true } });
    await run.waitFor(/Updating \(fake\)/);
    run.child.kill("SIGINT");
    assert.equal(await run.exited, 8);
    assert.match(run.stderr(), /received SIGINT: cancelling/);
    assert.match(run.stderr(), /update cancelled/);
  });

  it("a repeated signal within 2 s is ignored: the update is cancelled once, exit 8", async () => {
    const run = start({ up: { hang: true, cancelDelayMs: 1500 } });
    await run.waitFor(/Updating \(fake\)/);
    run.child.kill("SIGINT");
    await run.waitFor(/received SIGINT: cancelling/);
    run.child.kill("SIGINT");
    assert.equal(await run.exited, 8);
    assert.match(run.stderr(), /received SIGINT again within 2 s .*: still cancelling/);
    assert.doesNotMatch(run.stderr(), /stopping the Pulumi CLI now/);
    // The stand-in CLI finished its own graceful cancellation: it was not killed.
    assert.match(run.stderr(), /update cancelled/);
  });

  it("a genuine second signal (> 2 s later) stops the Pulumi CLI child, then exits 8", async () => {
    const run = start({ up: { hang: true, ignoreSigint: true } });
    await run.waitFor(/Updating \(fake\)/);
    run.child.kill("SIGTERM");
    await run.waitFor(/received SIGTERM: cancelling/);
    await new Promise((r) => setTimeout(r, 2200));
    const t0 = Date.now();
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 8);
    assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
    assert.match(run.stderr(), /received SIGTERM again: stopping the Pulumi CLI now and exiting/);
    // The stand-in ignored both SIGINTs; it must not outlive the driver.
    const pulumiPid = upPid();
    assert.equal(isAlive(pulumiPid), false, `stand-in pulumi ${pulumiPid} is still running`);
  });
});

/** The `npm run deploy` chain a pipeline uses: npm -> (sh, replaced by exec) -> node -> pulumi. */
describe("npm run deploy (real npm, stand-in pulumi binary)", function () {
  this.timeout(40000);
  let tmp: string;
  let npm: string | undefined;

  before(function () {
    const found = spawnSync("sh", ["-c", "command -v npm"], { encoding: "utf8" });
    npm = found.status === 0 ? found.stdout.trim() : undefined;
    if (!npm) this.skip();
  });

  beforeEach(() => {
    tmp = makeStandIn();
  });

  afterEach(() => {
    killLogged(tmp);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function startNpm() {
    const child = spawn(
      npm as string,
      ["run", "--silent", "deploy", "--", "up", "--stack", "dev", "--json"],
      {
        cwd: repoRoot,
        // Its own process group, like a terminal's foreground job, so the test can signal the
        // whole group the way Ctrl-C does.
        detached: true,
        env: {
          PATH: [path.join(tmp, "bin"), nodeDir, path.dirname(npm as string)].join(path.delimiter),
          HOME: tmp,
          npm_config_update_notifier: "false",
          PULUMI_BACKEND_URL: `file://${tmp}/state`,
          FAKE_PULUMI_LOG: path.join(tmp, "calls.jsonl"),
          FAKE_PULUMI_SCENARIO: JSON.stringify({ up: { hang: true } }),
        },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 400 && !pattern.test(stderr); i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(stderr, pattern);
    };
    return { child, exited, waitFor, stdout: () => stdout, stderr: () => stderr };
  }

  const upPidIn = () => {
    const lines = fs.readFileSync(path.join(tmp, "calls.jsonl"), "utf8").trim().split("\n");
    const up = lines
      .map((l) => JSON.parse(l) as { args: string[]; pid: number })
      .find((c) => c.args[0] === "up");
    assert.ok(up, "the stand-in CLI never ran `up`");
    return up.pid;
  };

  it("SIGTERM to npm reaches the driver: the update is cancelled, npm exits 8", async () => {
    const run = startNpm();
    await run.waitFor(/Updating \(fake\)/);
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 8, run.stderr());
    assert.match(run.stderr(), /received SIGTERM: cancelling/);
    assert.match(run.stderr(), /update cancelled/);
    assert.equal((JSON.parse(run.stdout()) as { result: string }).result, "cancelled");
    assert.equal(isAlive(upPidIn()), false);
  });

  it("docs/azure-pipelines/deploy.sh forwards the agent's SIGINT to the driver: exit 8", async () => {
    // The part of deploy.sh after the cloud logins: the trap and the driver runs.
    const script = fs.readFileSync(
      path.join(repoRoot, "docs", "azure-pipelines", "deploy.sh"),
      "utf8",
    );
    const from = script.indexOf('driver_pid=""');
    assert.ok(from > 0, "deploy.sh no longer has the signal-forwarding section");
    fs.writeFileSync(path.join(tmp, "t.sh"), `set -euo pipefail\n${script.slice(from)}`);
    const child = spawn("bash", [path.join(tmp, "t.sh")], {
      cwd: repoRoot,
      env: {
        PATH: [
          path.join(tmp, "bin"),
          nodeDir,
          path.dirname(npm as string),
          "/usr/bin",
          "/bin",
        ].join(path.delimiter),
        HOME: tmp,
        npm_config_update_notifier: "false",
        PULUMI_STACK: "dev",
        DEPLOY_ARGS: "up",
        RESULT_FILE: path.join(tmp, "up.json"),
        PULUMI_BACKEND_URL: `file://${tmp}/state`,
        FAKE_PULUMI_LOG: path.join(tmp, "calls.jsonl"),
        FAKE_PULUMI_SCENARIO: JSON.stringify({ up: { hang: true, cancelDelayMs: 500 } }),
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    for (let i = 0; i < 400 && !/Updating \(fake\)/.test(stderr); i++)
      await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGINT");
    assert.equal(await exited, 8, stderr);
    assert.match(stdout, /driver exit code: 8/);
    assert.match(stderr, /received SIGINT: cancelling/);
    const summary = JSON.parse(fs.readFileSync(path.join(tmp, "up.json"), "utf8")) as {
      result: string;
    };
    assert.equal(summary.result, "cancelled");
    assert.equal(isAlive(upPidIn()), false);
  });

  it("SIGINT to the process group (terminal Ctrl-C): cancelled once, npm exits 8", async () => {
    const run = startNpm();
    await run.waitFor(/Updating \(fake\)/);
    process.kill(-(run.child.pid as number), "SIGINT");
    assert.equal(await run.exited, 8, run.stderr());
    assert.match(run.stderr(), /received SIGINT: cancelling/);
    assert.doesNotMatch(run.stderr(), /stopping the Pulumi CLI now/);
    assert.equal((JSON.parse(run.stdout()) as { result: string }).result, "cancelled");
    assert.equal(isAlive(upPidIn()), false);
  });
});
