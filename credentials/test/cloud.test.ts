import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../src/cli";
import { resolveIdentitySettings, resolveSettings } from "../src/config";
import { fixtureWithTempDir } from "./support/fixture";
import { captureIo } from "./support/io";

const roleArn = "arn:aws:iam::123456789012:role/r";
const audience = "api://x";
const ALLOWED = "Allowed: AzurePublic, AzureChina (default AzurePublic).";
const US_GOV =
  "is not supported yet: no public Microsoft source confirms the v1 token issuer of Azure US Government tenants, and a wrong issuer would make every role unassumable";

describe("the cloud setting (ENTRA_AWS_CLOUD / --cloud / option cloud)", () => {
  const cloudOf = (input: { cloud?: string }, env: NodeJS.ProcessEnv = {}) =>
    resolveSettings({ roleArn, audience, ...input }, env).cloud;

  it("defaults to AzurePublic, reads ENTRA_AWS_CLOUD, and the option wins over it", () => {
    assert.deepEqual(cloudOf({}), {
      name: "AzurePublic",
      issuerHost: "sts.windows.net",
      authorityHost: "https://login.microsoftonline.com",
      jwksUrl: "https://login.microsoftonline.com/common/discovery/keys",
      awsPartition: "aws",
    });
    assert.deepEqual(cloudOf({}, { ENTRA_AWS_CLOUD: " AzureChina " }), {
      name: "AzureChina",
      issuerHost: "sts.chinacloudapi.cn",
      authorityHost: "https://login.chinacloudapi.cn",
      jwksUrl: undefined,
      awsPartition: "aws-cn",
    });
    assert.equal(
      cloudOf({ cloud: "AzurePublic" }, { ENTRA_AWS_CLOUD: "AzureChina" }).name,
      "AzurePublic",
    );
    assert.equal(cloudOf({ cloud: "" }, { ENTRA_AWS_CLOUD: "AzureChina" }).name, "AzureChina");
    assert.equal(
      resolveIdentitySettings({ audience }, { ENTRA_AWS_CLOUD: "AzureChina" }).cloud.name,
      "AzureChina",
    );
  });

  for (const [what, input, env, message] of [
    [
      "an unknown ENTRA_AWS_CLOUD",
      {},
      { ENTRA_AWS_CLOUD: "AzureCloud" },
      `The cloud "AzureCloud" (ENTRA_AWS_CLOUD) is not an Entra cloud. ${ALLOWED}`,
    ],
    [
      "a name in another case",
      { cloud: "azurechina" },
      {},
      `The cloud "azurechina" (option cloud / --cloud) is not an Entra cloud. ${ALLOWED}`,
    ],
    [
      "AzureUSGovernment",
      {},
      { ENTRA_AWS_CLOUD: "AzureUSGovernment" },
      `The cloud "AzureUSGovernment" (ENTRA_AWS_CLOUD) ${US_GOV}. ${ALLOWED}`,
    ],
    [
      "AzureUSGovernment as an option",
      { cloud: "AzureUSGovernment" },
      { ENTRA_AWS_CLOUD: "AzurePublic" },
      `The cloud "AzureUSGovernment" (option cloud / --cloud) ${US_GOV}. ${ALLOWED}`,
    ],
    [
      "a prototype property name",
      { cloud: "toString" },
      {},
      `The cloud "toString" (option cloud / --cloud) is not an Entra cloud. ${ALLOWED}`,
    ],
  ] as const) {
    it(`refuses ${what}, naming the setting, the value and the allowed values`, () => {
      assert.throws(() => cloudOf(input, env), { name: "EntraAwsCredentialsError", message });
    });
  }
});

describe("commands refuse a bad cloud before anything is asked or written", function () {
  const suite = fixtureWithTempDir("entra-aws-cloud-");

  for (const [command, extra] of [
    ["process", []],
    ["token-file", ["--file", "token", "--once"]],
    ["doctor", ["--no-sts"]],
  ] as const) {
    for (const [how, args, env] of [
      ["--cloud", ["--cloud", "AzureUSGovernment"], {}],
      ["ENTRA_AWS_CLOUD", [], { ENTRA_AWS_CLOUD: "AzureUSGovernment" }],
    ] as const) {
      it(`${command} (${how})`, async () => {
        const id = suite.f.newIdentity();
        const cacheDir = path.join(suite.tmp, "cache");
        const a = [...extra].map((x) => (x === "token" ? path.join(suite.tmp, "token") : x));
        const io = captureIo({
          AZURE_CLIENT_ID: id.clientId,
          AWS_ROLE_ARN: id.roleArn,
          ENTRA_AWS_AUDIENCE: suite.f.audience,
          AWS_ENDPOINT_URL_STS: suite.f.sts.endpoint,
          ENTRA_AWS_CACHE_DIR: cacheDir,
          ...env,
        });
        assert.equal(await main([command, ...a, ...args], io), 1);
        const source = how === "--cloud" ? "option cloud / --cloud" : "ENTRA_AWS_CLOUD";
        assert.equal(
          io.err,
          `entra-aws-credentials: The cloud "AzureUSGovernment" (${source}) ${US_GOV}. ${ALLOWED}\n`,
        );
        assert.equal(io.out, "");
        assert.equal(suite.f.mi.byClient.get(id.clientId) ?? 0, 0, "no token asked for");
        assert.equal(suite.f.sts.calls.filter((c) => c.roleArn === id.roleArn).length, 0);
        assert.deepEqual(fs.readdirSync(suite.tmp), [], "no file written");
      });
    }
  }
});
