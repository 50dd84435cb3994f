import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fromProcess } from "@aws-sdk/credential-provider-process";
import { builtPath } from "../../tests/support/build";
import { cacheKey, cacheFilePath, writeCache, type ProcessCredentials } from "../src/diskCache";
import { stripControl } from "../src/redact";
import { fixtureWithTempDir } from "./support/fixture";
import { bin, METADATA_GUARD, REPO_ROOT, runCli } from "./support/cli";
import { closedLoopbackUrl } from "./support/loopback";
import { runMain } from "./support/io";

/**
 * The process command runs in this process (`runMain`) unless a real process is what is tested:
 * the cache hit's module loading, the exit code and streams of a failure, the AWS SDK running it
 * as credential_process, and MSAL's process-wide choice of managed identity source.
 */
describe("credential_process command", function () {
  this.timeout(30_000);
  const suite = fixtureWithTempDir("entra-aws-process-");

  function envFor(id: { clientId: string; roleArn: string }): NodeJS.ProcessEnv {
    return {
      HOME: suite.tmp,
      IDENTITY_ENDPOINT: suite.f.mi.endpoint,
      IDENTITY_HEADER: suite.f.mi.secret,
      AZURE_CLIENT_ID: id.clientId,
      AWS_ROLE_ARN: id.roleArn,
      ENTRA_AWS_AUDIENCE: suite.f.audience,
      AWS_ENDPOINT_URL_STS: suite.f.sts.endpoint,
      AWS_REGION: "eu-west-1",
      ENTRA_AWS_CACHE_DIR: path.join(suite.tmp, "cache"),
    };
  }
  const keyFor = (id: { clientId: string; roleArn: string }): string =>
    cacheKey({
      roleArn: id.roleArn,
      audience: suite.f.audience,
      clientId: id.clientId,
      tenantId: undefined,
      sessionName: undefined,
      durationSeconds: undefined,
      stsEndpoint: suite.f.sts.endpoint,
    });
  const stsCalls = (roleArn: string) =>
    suite.f.sts.calls.filter((c) => c.roleArn === roleArn).length;

  it("prints credential_process JSON, caches it 0600, and a second process makes no network call nor loads the SDKs", async () => {
    const id = suite.f.newIdentity();
    const env = envFor(id);
    const cold = await runMain(["process"], env);
    assert.equal(cold.code, 0, cold.stderr);
    assert.equal(cold.stderr, "");
    const out = JSON.parse(cold.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), [
      "Version",
      "AccessKeyId",
      "SecretAccessKey",
      "SessionToken",
      "Expiration",
    ]);
    assert.equal(out.Version, 1);
    assert.match(out.AccessKeyId as string, /^ASIA/);
    assert.match(out.Expiration as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(stsCalls(id.roleArn), 1);
    assert.equal(suite.f.mi.byClient.get(id.clientId), 1);

    const dir = path.join(suite.tmp, "cache");
    const file = cacheFilePath(dir, keyFor(id));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(fs.readdirSync(dir), [path.basename(file)]); // no temp files left

    const modules = path.join(suite.tmp, "modules.json");
    const warm = await runCli(["process"], env, { recordModulesTo: modules });
    assert.equal(warm.code, 0, warm.stderr);
    assert.deepEqual(JSON.parse(warm.stdout), out);
    assert.equal(stsCalls(id.roleArn), 1, "cache hit must not call STS");
    assert.equal(suite.f.mi.byClient.get(id.clientId), 1, "cache hit must not call Entra");
    const loaded = JSON.parse(fs.readFileSync(modules, "utf8")) as string[];
    // The built files by their exact paths: the hook saw the CLI, and never the provider.
    assert.ok(loaded.includes(builtPath("credentials/src/cli.js")), "hook saw the built CLI");
    assert.ok(loaded.includes(builtPath("credentials/src/diskCache.js")), "hook saw the cache");
    const sdk = loaded.filter((m) => /node_modules[\\/](@azure|@aws-sdk|@smithy)[\\/]/.test(m));
    assert.deepEqual(sdk, [], "the cache-hit path loaded SDK modules");
    assert.ok(!loaded.includes(builtPath("credentials/src/provider.js")), "loaded the provider");
    assert.ok(!loaded.includes(builtPath("credentials/src/tokenFile.js")), "loaded token-file");
  });

  it("keeps one cache entry per role/audience/identity", async () => {
    const a = suite.f.newIdentity();
    const b = suite.f.newIdentity();
    const cacheDir = path.join(suite.tmp, "cache");
    await runMain(["process"], envFor(a));
    await runMain(["process"], envFor(b));
    const otherRole = `${a.roleArn}-other`;
    suite.f.sts.options.roles.set(otherRole, {
      audience: suite.f.audience,
      subjects: [a.principalId],
    });
    await runMain(["process"], { ...envFor(a), AWS_ROLE_ARN: otherRole });
    await runMain(["process"], envFor(a)); // hit
    assert.equal(fs.readdirSync(cacheDir).length, 3);
    assert.equal(stsCalls(a.roleArn), 1);
    assert.equal(stsCalls(otherRole), 1);
  });

  for (const [what, content, mode] of [
    ["corrupt (not JSON)", "{not json", 0o600],
    ["foreign (other format)", JSON.stringify({ hello: "world" }), 0o600],
    ["readable by others", "", 0o644],
  ] as const) {
    it(`ignores and replaces a ${what} cache file`, async () => {
      const id = suite.f.newIdentity();
      const env = envFor(id);
      const dir = path.join(suite.tmp, "cache");
      const file = cacheFilePath(dir, keyFor(id));
      if (content === "") {
        await runMain(["process"], env);
        fs.chmodSync(file, mode);
      } else {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, content, { mode });
      }
      const before = stsCalls(id.roleArn);
      const run = await runMain(["process"], env);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(stsCalls(id.roleArn), before + 1);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const entry = JSON.parse(fs.readFileSync(file, "utf8")) as { credentials: unknown };
      assert.deepEqual(entry.credentials, JSON.parse(run.stdout));
    });
  }

  /** Rewrites the cached entry as if its 3,600 s credentials had `secondsLeft` left. */
  function age(id: { clientId: string; roleArn: string }, secondsLeft: number): void {
    const file = cacheFilePath(path.join(suite.tmp, "cache"), keyFor(id));
    const entry = JSON.parse(fs.readFileSync(file, "utf8")) as {
      fetchedAt: number;
      credentials: { Expiration: string };
    };
    const expiresAt = Date.now() + secondsLeft * 1000;
    entry.credentials.Expiration = new Date(expiresAt).toISOString();
    entry.fetchedAt = expiresAt - 3_600_000;
    fs.writeFileSync(file, JSON.stringify(entry));
  }

  it("caps the refresh window at half the session: 900 s credentials are a cache hit on the next run", async () => {
    const id = suite.f.newIdentity();
    const env = envFor(id);
    const args = ["process", "--duration-seconds", "900", "--refresh-before-expiry", "900"];
    const first = await runMain(args, env);
    assert.equal(first.code, 0, first.stderr);
    const second = await runMain(args, env);
    assert.equal(second.stdout, first.stdout);
    assert.equal(stsCalls(id.roleArn), 1);
  });

  it("refreshes 960 s ahead by default, before botocore's 15-minute advisory refresh", async () => {
    const id = suite.f.newIdentity();
    const env = envFor(id);
    const first = await runMain(["process"], env);
    age(id, 1_000);
    const hit = await runMain(["process"], env);
    assert.equal(hit.code, 0, hit.stderr);
    assert.equal(stsCalls(id.roleArn), 1);
    age(id, 900); // botocore asks again from 900 s left: the cache must not hand these back
    const refreshed = await runMain(["process"], env);
    assert.equal(stsCalls(id.roleArn), 2);
    const out = JSON.parse(refreshed.stdout) as { AccessKeyId: string; Expiration: string };
    assert.notEqual(
      out.AccessKeyId,
      (JSON.parse(first.stdout) as { AccessKeyId: string }).AccessKeyId,
    );
    assert.ok(Date.parse(out.Expiration) - Date.now() > 3_000_000);
  });

  it("refreshes when the cached entry is due, and serves it if that refresh fails", async () => {
    const id = suite.f.newIdentity();
    const env = envFor(id);
    const first = JSON.parse((await runMain(["process"], env)).stdout) as { AccessKeyId: string };
    age(id, 200); // inside the 300 s window
    const refreshed = await runMain(["process", "--refresh-before-expiry", "300"], env);
    assert.notEqual(
      (JSON.parse(refreshed.stdout) as { AccessKeyId: string }).AccessKeyId,
      first.AccessKeyId,
    );
    assert.equal(stsCalls(id.roleArn), 2);

    age(id, 200);
    const cached = (
      JSON.parse(
        fs.readFileSync(cacheFilePath(path.join(suite.tmp, "cache"), keyFor(id)), "utf8"),
      ) as {
        credentials: ProcessCredentials;
      }
    ).credentials;
    // An STS message that echoes the cached secrets (contrived): the CLI knows these values
    // where it prints the warning, so they never reach stderr.
    suite.f.sts.stickyFault = {
      code: "AccessDenied",
      message: `Not authorized (${cached.SecretAccessKey} ${cached.SessionToken})`,
      status: 403,
    };
    const served = await runMain(["process", "--refresh-before-expiry", "300"], env);
    assert.equal(served.code, 0);
    assert.deepEqual(JSON.parse(served.stdout), cached);
    assert.equal(
      served.stderr,
      `entra-aws-credentials: refresh failed, serving cached credentials until ${cached.Expiration}: AssumeRoleWithWebIdentity for ${id.roleArn} failed: AccessDenied: Not authorized ([redacted] [redacted])\n`,
    );
  });

  describe("refuses a cache directory another user could write to, before any network call", () => {
    const refusal = (dir: string, why: string): string =>
      `entra-aws-credentials: The cache directory ${dir} ${why}: another user could replace or delete the cached credentials. Use a directory of your own with mode 0700 (chmod 700, or --cache-dir / ENTRA_AWS_CACHE_DIR), or pass --no-cache.\n`;
    const refused = async (dir: string, why: string): Promise<void> => {
      const id = suite.f.newIdentity();
      const run = await runMain(["process", "--cache-dir", dir], envFor(id));
      assert.deepEqual(run, { code: 1, stdout: "", stderr: refusal(dir, why) });
      assert.equal(stsCalls(id.roleArn), 0);
      assert.equal(suite.f.mi.byClient.get(id.clientId) ?? 0, 0);
    };

    it("mode 0777", async () => {
      const dir = path.join(suite.tmp, "shared");
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o777);
      await refused(dir, "is writable by group and others (mode 0777)");
    });

    it("mode 0720 (group-writable)", async () => {
      const dir = path.join(suite.tmp, "group");
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o720);
      await refused(dir, "is writable by group (mode 0720)");
    });

    it("a symlink to a directory with mode 0777", async () => {
      const target = path.join(suite.tmp, "shared");
      fs.mkdirSync(target);
      fs.chmodSync(target, 0o777);
      const link = path.join(suite.tmp, "cache-link");
      fs.symlinkSync(target, link);
      await refused(link, "is writable by group and others (mode 0777)");
    });

    it("owned by another user", async () => {
      const uid = process.getuid!();
      // As root a directory is handed to "nobody"; otherwise / is root's, not this user's.
      let dir = "/";
      if (uid === 0) {
        dir = path.join(suite.tmp, "theirs");
        fs.mkdirSync(dir, { mode: 0o700 });
        fs.chownSync(dir, 65_534, 65_534);
      }
      const owner = uid === 0 ? 65_534 : fs.statSync("/").uid;
      await refused(dir, `is owned by uid ${owner}, not by this user (uid ${uid})`);
    });

    it("--no-cache runs with such a directory, and a private one is used", async () => {
      const shared = path.join(suite.tmp, "shared");
      fs.mkdirSync(shared);
      fs.chmodSync(shared, 0o777);
      const id = suite.f.newIdentity();
      const noCache = await runMain(["process", "--cache-dir", shared, "--no-cache"], envFor(id));
      assert.equal(noCache.code, 0, noCache.stderr);
      assert.deepEqual(fs.readdirSync(shared), []);
      const own = path.join(suite.tmp, "own");
      fs.mkdirSync(own, { mode: 0o700 });
      const cached = await runMain(["process", "--cache-dir", own], envFor(id));
      assert.equal(cached.code, 0, cached.stderr);
      assert.equal(cached.stderr, "");
      assert.equal(fs.readdirSync(own).length, 1);
    });
  });

  /** Credentials that STS never issued, planted in the cache by a test. */
  function planted(expiresInSeconds: number): ProcessCredentials {
    return {
      Version: 1,
      AccessKeyId: "ASIAPLANTEDPLANTED00",
      SecretAccessKey: "planted/secret/key/planted/secret/key/00",
      SessionToken: `PlantedSessionToken${"x".repeat(100)}`,
      Expiration: new Date(Date.now() + expiresInSeconds * 1000).toISOString(),
    };
  }

  it("does not follow a symlinked cache file: it is neither served nor written through", async () => {
    const id = suite.f.newIdentity();
    const dir = path.join(suite.tmp, "cache");
    const elsewhere = path.join(suite.tmp, "elsewhere");
    writeCache(elsewhere, keyFor(id), id.roleArn, planted(3600), Date.now());
    const target = cacheFilePath(elsewhere, keyFor(id));
    const before = fs.readFileSync(target, "utf8");
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.symlinkSync(target, cacheFilePath(dir, keyFor(id)));
    const run = await runMain(["process"], envFor(id));
    assert.equal(run.code, 0, run.stderr);
    assert.notEqual(
      (JSON.parse(run.stdout) as ProcessCredentials).AccessKeyId,
      planted(0).AccessKeyId,
    );
    assert.equal(stsCalls(id.roleArn), 1);
    assert.equal(fs.readFileSync(target, "utf8"), before);
    assert.ok(fs.lstatSync(cacheFilePath(dir, keyFor(id))).isFile());
  });

  it("does not serve an entry copied from another key", async () => {
    const id = suite.f.newIdentity();
    const dir = path.join(suite.tmp, "cache");
    const otherKey = keyFor({ ...id, roleArn: `${id.roleArn}-other` });
    writeCache(dir, otherKey, id.roleArn, planted(3600), Date.now());
    fs.copyFileSync(cacheFilePath(dir, otherKey), cacheFilePath(dir, keyFor(id)));
    const run = await runMain(["process"], envFor(id));
    assert.equal(run.code, 0, run.stderr);
    assert.notEqual(
      (JSON.parse(run.stdout) as ProcessCredentials).AccessKeyId,
      planted(0).AccessKeyId,
    );
    assert.equal(stsCalls(id.roleArn), 1);
  });

  it("never serves a due entry that has already expired, and keeps its secrets off stderr", async () => {
    const id = suite.f.newIdentity();
    const expired = planted(-1);
    writeCache(
      path.join(suite.tmp, "cache"),
      keyFor(id),
      id.roleArn,
      expired,
      Date.now() - 3_601_000,
    );
    suite.f.sts.stickyFault = { code: "AccessDenied", message: "Not authorized", status: 403 };
    const run = await runMain(["process"], envFor(id));
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /^entra-aws-credentials: AssumeRoleWithWebIdentity .* failed: AccessDenied/,
    );
    assert.ok(!run.stderr.includes(expired.SecretAccessKey), "secret key on stderr");
    assert.ok(!run.stderr.includes(expired.SessionToken), "session token on stderr");
    assert.equal(stsCalls(id.roleArn), 1);
  });

  it("prints one clear error to stderr (no secrets, empty stdout) and exits 1", async () => {
    const id = suite.f.newIdentity({ trusted: false });
    const run = await runCli(["process"], envFor(id));
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /^entra-aws-credentials: AssumeRoleWithWebIdentity for arn:aws:iam::123456789012:role\/.* failed: AccessDenied/,
    );
    assert.match(run.stderr, /principalId/);
    assert.doesNotMatch(run.stderr, /eyJ|ASIA|IDENTITY_HEADER|at .*\.[jt]s:\d+/);
    assert.ok(!run.stderr.includes(suite.f.mi.secret));
  });

  it("prints the redacted message only, never the SDK error kept as its cause", async () => {
    const id = suite.f.newIdentity();
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl";
    suite.f.sts.stickyFault = {
      code: "InvalidIdentityToken",
      message: `Incorrect token audience for ${jwt} (header ${suite.f.mi.secret})`,
    };
    const run = await runMain(["process"], envFor(id));
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.equal(
      run.stderr.split("\n")[0],
      `entra-aws-credentials: AssumeRoleWithWebIdentity for ${id.roleArn} failed: InvalidIdentityToken: Incorrect token audience for [redacted-jwt] (header [redacted])`,
    );
    assert.ok(!run.stderr.includes(suite.f.mi.secret));
    assert.doesNotMatch(run.stderr, /\[cause\]|\$metadata|at .*\.[jt]s:\d+/);
  });

  it("strips terminal control sequences from the STS message it prints", async () => {
    const id = suite.f.newIdentity();
    suite.f.sts.stickyFault = {
      code: "AccessDenied",
      // Colour, a window title (OSC), backspaces that would rub out text, a C1 CSI. (A carriage
      // return cannot be tested through STS: XML turns it into a newline.)
      message:
        "Not \u001b[1;31mauthorized\u001b[0m\u001b]0;pwned\u0007\u0008\u0008 all good\u009b2K",
      status: 403,
    };
    const run = await runMain(["process"], envFor(id));
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr.split("\n")[0],
      `entra-aws-credentials: AssumeRoleWithWebIdentity for ${id.roleArn} failed: AccessDenied: Not authorized all good2K`,
    );
    assert.equal(stripControl(run.stderr), run.stderr);
  });

  it("prints a role ARN with a long role name intact in the error", async () => {
    const id = suite.f.newIdentity();
    const roleArn = "arn:aws:iam::123456789012:role/OrdersApiProductionReadOnlyAccessForS3";
    suite.f.sts.options.roles.set(roleArn, { audience: suite.f.audience, subjects: [] });
    const run = await runMain(["process", "--role-arn", roleArn], envFor(id));
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.deepEqual(run.stderr.split("\n").slice(0, 3), [
      `entra-aws-credentials: AssumeRoleWithWebIdentity for ${roleArn} failed: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity`,
      "The role's trust policy does not allow this token to assume it.",
      "Likely causes:",
    ]);
  });

  it("removes this key's temporary files left by a crash (older than a minute) on the next write", () => {
    const dir = path.join(suite.tmp, "cache");
    fs.mkdirSync(dir, { mode: 0o700 });
    const key = "a".repeat(40);
    const other = "b".repeat(40);
    const temp = (k: string, suffix: string, ageMs: number): string => {
      const file = path.join(dir, `.${k}.json.${suffix}.tmp`);
      fs.writeFileSync(file, "partial", { mode: 0o600 });
      const at = new Date(Date.now() - ageMs);
      fs.utimesSync(file, at, at);
      return path.basename(file);
    };
    temp(key, "4242.0123456789ab", 120_000); // crashed writer: removed
    const inProgress = temp(key, "4243.0123456789ab", 1_000); // a writer right now: kept
    const otherKeys = temp(other, "4244.0123456789ab", 120_000); // another key's: kept
    writeCache(dir, key, "arn:aws:iam::123456789012:role/r", planted(3600), Date.now());
    assert.deepEqual(fs.readdirSync(dir).sort(), [inProgress, otherKeys, `${key}.json`].sort());
  });

  it("off Azure (IMDS refuses the connection) says in one line that no managed identity answered, at once", async () => {
    // A child: MSAL picks its managed identity source once per process, and this process's is
    // the loopback App Service endpoint. Without IDENTITY_ENDPOINT MSAL uses IMDS, which
    // runCli redirects to a closed loopback port (support/loopback.ts).
    const id = suite.f.newIdentity();
    const imds = await closedLoopbackUrl();
    const env: NodeJS.ProcessEnv = { ...envFor(id), AZURE_POD_IDENTITY_AUTHORITY_HOST: imds };
    delete env.IDENTITY_ENDPOINT;
    delete env.IDENTITY_HEADER;
    const run = await runCli(["process"], env);
    assert.deepEqual(run, {
      code: 1,
      stdout: "",
      stderr: `entra-aws-credentials: No managed identity endpoint answered (IMDS at ${imds}: ECONNREFUSED): not on Azure, or no managed identity here. To use a caller app instead, set AZURE_CLIENT_SECRET, AZURE_CLIENT_ID and AZURE_TENANT_ID.\n`,
    });
    assert.equal(stsCalls(id.roleArn), 0);
  });

  it("an App Service managed identity endpoint that refuses the connection is named in one line, after @azure/identity's retries", async function () {
    this.timeout(60_000); // @azure/identity retries a refused connection with backoff (~7 s)
    const id = suite.f.newIdentity();
    const endpoint = `${await closedLoopbackUrl()}/msi/token`;
    const run = await runCli(["process"], { ...envFor(id), IDENTITY_ENDPOINT: endpoint });
    assert.deepEqual(run, {
      code: 1,
      stdout: "",
      // MSAL reports only "network_error", without the socket's code.
      stderr: `entra-aws-credentials: No managed identity endpoint answered (${endpoint}: network error): not on Azure, or no managed identity here. To use a caller app instead, set AZURE_CLIENT_SECRET, AZURE_CLIENT_ID and AZURE_TENANT_ID.\n`,
    });
    assert.equal(stsCalls(id.roleArn), 0);
  });

  it("explains missing settings", async () => {
    const run = await runMain(["process"], { HOME: suite.tmp });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /AWS_ROLE_ARN/);
    assert.match(run.stderr, /ENTRA_AWS_AUDIENCE/);
  });

  it("works as an AWS SDK profile's credential_process (the SDK's own process provider)", async () => {
    const id = suite.f.newIdentity();
    const config = path.join(suite.tmp, "config");
    const q = (s: string): string => `"${s}"`;
    fs.writeFileSync(
      config,
      `[profile entra]\ncredential_process = ${q(process.execPath)} -r ${q(METADATA_GUARD)} ${q(bin())} process --role-arn ${id.roleArn} --audience ${suite.f.audience} --client-id ${id.clientId} --sts-endpoint ${suite.f.sts.endpoint} --cache-dir ${q(path.join(suite.tmp, "cache"))}\n`,
    );
    // The SDK runs credential_process with this process's environment (IDENTITY_ENDPOINT and
    // IDENTITY_HEADER already point at the loopback server, IMDS at a closed loopback port) and
    // working directory.
    const cwd = process.cwd();
    try {
      process.chdir(REPO_ROOT);
      const creds = await fromProcess({
        profile: "entra",
        configFilepath: config,
        filepath: path.join(suite.tmp, "none"),
      })();
      assert.match(creds.accessKeyId, /^ASIA/);
      assert.ok(creds.sessionToken);
      assert.ok(creds.expiration && creds.expiration.getTime() > Date.now());
    } finally {
      process.chdir(cwd);
    }
    assert.equal(stsCalls(id.roleArn), 1);
  });
});
