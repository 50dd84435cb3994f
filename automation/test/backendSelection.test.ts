import * as assert from "node:assert/strict";
import { chooseBackend, describeBackendUrl, type BackendInputs } from "../backendSelection";
import { DriverError } from "../errors";
import { ExitCode } from "../exitCodes";

const base = (over: Partial<BackendInputs> = {}): BackendInputs => ({
  env: {},
  repoRoot: "/work/repo",
  fileReadable: () => true,
  ...over,
});

describe("backend selection", () => {
  it("PULUMI_BACKEND_URL wins, and nothing is overridden", () => {
    const choice = chooseBackend(
      base({
        env: {
          PULUMI_BACKEND_URL: "s3://state-bucket/entra?region=eu-west-1&awssdk=v2",
          PULUMI_ACCESS_TOKEN: "t",
        },
        projectBackendUrl: "azblob://state",
        loggedInUrl: "https://api.pulumi.com",
      }),
    );
    assert.equal(choice.kind, "configured");
    assert.deepEqual(choice.envVars, {});
    assert.equal(choice.description, "s3://state-bucket/entra (PULUMI_BACKEND_URL)");
  });

  it("then backend.url from Pulumi.yaml, then the current `pulumi login`, then PULUMI_ACCESS_TOKEN", () => {
    const project = chooseBackend(
      base({ projectBackendUrl: "azblob://state?storage_account=acct", loggedInUrl: "x" }),
    );
    assert.equal(project.kind === "configured" && project.source, "Pulumi.yaml backend.url");
    assert.equal(project.description, "azblob://state (backend.url in Pulumi.yaml)");
    // The CLI prefers an existing login over PULUMI_ACCESS_TOKEN (the token only authenticates).
    const loginAndToken = chooseBackend(
      base({ env: { PULUMI_ACCESS_TOKEN: "pul-123" }, loggedInUrl: "s3://other-bucket?x=1" }),
    );
    assert.equal(loginAndToken.kind === "configured" && loginAndToken.source, "pulumi login");
    assert.equal(loginAndToken.description, "s3://other-bucket (pulumi login)");
    const token = chooseBackend(base({ env: { PULUMI_ACCESS_TOKEN: "pul-123" } }));
    assert.equal(token.kind === "configured" && token.source, "PULUMI_ACCESS_TOKEN");
    assert.equal(token.description, "Pulumi Cloud (PULUMI_ACCESS_TOKEN, no pulumi login)");
    assert.ok(!token.description.includes("pul-123"));
  });

  it("embedded default with a KMS / Key Vault secrets provider: no passphrase needed", () => {
    for (const provider of [
      "awskms://alias/pulumi-entra?region=eu-west-1",
      "azurekeyvault://vault.vault.azure.net/keys/pulumi",
    ]) {
      const choice = chooseBackend(base({ secretsProvider: provider }));
      assert.equal(choice.kind, "embedded");
      assert.deepEqual(choice.envVars, { PULUMI_BACKEND_URL: "file:///work/repo/.pulumi-state" });
      assert.match(choice.description, /embedded default, (awskms|azurekeyvault) secrets/);
    }
    for (const provider of ["passphrase", "", undefined]) {
      assert.throws(
        () => chooseBackend(base(provider === undefined ? {} : { secretsProvider: provider })),
        (err: unknown) => err instanceof DriverError && err.kind === "passphrase-missing",
      );
    }
  });

  it("with nothing configured: file://<repo>/.pulumi-state with PULUMI_CONFIG_PASSPHRASE", () => {
    const choice = chooseBackend(base({ env: { PULUMI_CONFIG_PASSPHRASE: "pw" } }));
    assert.equal(choice.kind, "embedded");
    assert.deepEqual(choice.envVars, { PULUMI_BACKEND_URL: "file:///work/repo/.pulumi-state" });
    assert.equal(choice.kind === "embedded" && choice.stateDir, "/work/repo/.pulumi-state");
    assert.ok(!choice.description.includes("pw"));
  });

  it("an empty PULUMI_CONFIG_PASSPHRASE is a valid (empty) passphrase, as for the CLI", () => {
    assert.equal(chooseBackend(base({ env: { PULUMI_CONFIG_PASSPHRASE: "" } })).kind, "embedded");
  });

  it("accepts a readable PULUMI_CONFIG_PASSPHRASE_FILE", () => {
    const seen: string[] = [];
    const choice = chooseBackend(
      base({
        env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secrets/pp" },
        fileReadable: (f) => (seen.push(f), true),
      }),
    );
    assert.equal(choice.kind, "embedded");
    assert.deepEqual(seen, ["/run/secrets/pp"]);
  });

  it("a clear error (exit 2) when neither passphrase variable is set", () => {
    assert.throws(
      () => chooseBackend(base()),
      (err: unknown) =>
        err instanceof DriverError &&
        err.exitCode === ExitCode.InvalidConfig &&
        err.kind === "passphrase-missing" &&
        /set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE/.test(err.message),
    );
  });

  it("a clear error when PULUMI_CONFIG_PASSPHRASE_FILE cannot be read", () => {
    assert.throws(
      () =>
        chooseBackend(
          base({ env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/nope" }, fileReadable: () => false }),
        ),
      /PULUMI_CONFIG_PASSPHRASE_FILE points to '\/nope', which does not exist/,
    );
  });

  it("describeBackendUrl drops query strings and user info (keys, SAS tokens, passwords)", () => {
    assert.equal(describeBackendUrl("azblob://c?sas=abc"), "azblob://c");
    assert.equal(describeBackendUrl("postgres://u:p@host:5432/db"), "postgres://host:5432/db");
    assert.equal(describeBackendUrl("https://api.pulumi.com"), "https://api.pulumi.com");
  });
});
