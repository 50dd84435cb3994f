import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  SHARED_OIDC_PROVIDER_MODULE,
  SHARED_OIDC_PROVIDER_TYPE,
  SharedOidcProvider,
} from "../components/sharedOidcProvider";
import { diffInputs } from "../lib/sharedOidcProvider/diff";
import { ROLE_SESSION_NAME } from "../lib/sharedOidcProvider/iamClient";
import type {
  SharedOidcProviderInputs,
  SharedOidcProviderOutputs,
} from "../lib/sharedOidcProvider/inputs";
import { checkInputs, UNKNOWN } from "../lib/sharedOidcProvider/inputs";
import { sharedOidcProviderProvider as provider } from "../lib/sharedOidcProvider/provider";
import type { IamStandIn } from "./support/iamServer";
import { startIamStandIn } from "./support/iamServer";

// Any connection to the instance metadata address throws and is recorded (checked after each test).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS shared with the credentials tests
const metadataGuard = require("../credentials/test/support/noMetadataAddress.js") as {
  attempts: string[];
};

const TENANT = "8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d";
const ISSUER = `https://sts.windows.net/${TENANT}/`;
const ACCOUNT = "111122223333";
const OTHER_ACCOUNT = "444455556666";
const MANAGEMENT_ACCOUNT = "999988887777";
const ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/sts.windows.net/${TENANT}/`;
const DEPLOYER_KEY = "AKIAIOSFODNN7EXAMPLE";
const DEPLOYER_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DEPLOYER_ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`;
const A = "api://stack-a";
const B = "api://stack-b";
const C = "api://stack-c";

function inputs(overrides: Partial<SharedOidcProviderInputs> = {}): SharedOidcProviderInputs {
  return {
    issuerUrl: ISSUER,
    audience: A,
    accountId: ACCOUNT,
    region: "eu-west-1",
    thumbprints: [],
    ...overrides,
  };
}

/** What create stores for these inputs. */
function outs(
  overrides: Partial<SharedOidcProviderInputs>,
  createdByThisStack: boolean,
): SharedOidcProviderOutputs {
  return {
    ...inputs(overrides),
    arn: ARN,
    url: ISSUER,
    createdByThisStack,
    audienceRegistered: true,
  };
}

/** Action and outcome of each call, in order: the exact conversation with AWS. */
function conversation(iam: IamStandIn): string[] {
  return iam.calls.map((c) => `${c.action} ${c.code ?? c.status}`);
}

function seed(iam: IamStandIn, clientIds: string[]): void {
  iam.providers.set(ARN, { url: ISSUER, clientIds, thumbprints: [], createDate: new Date() });
}

function listed(iam: IamStandIn): string[] | undefined {
  return iam.providers.get(ARN)?.clientIds;
}

const AWS_ENV = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_IAM",
  "AWS_ENDPOINT_URL_STS",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_MAX_ATTEMPTS",
  "AWS_RETRY_MODE",
  "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
];

/** The stand-in and a scratch directory of the running test. */
interface LoopbackAws {
  iam: IamStandIn;
  dir: string;
}

/**
 * Starts the stand-in before each test and points the SDK at it through its own settings, with the
 * deployer's static keys: only loopback, never the metadata address, AWS or the user's ~/.aws.
 * Restores the environment and checks no metadata connection was tried after each test.
 */
function useLoopbackAws(scratchParent: string): LoopbackAws {
  const aws = {} as LoopbackAws;
  let saved: Record<string, string | undefined>;
  beforeEach(async () => {
    aws.iam = await startIamStandIn();
    aws.iam.identities.set(DEPLOYER_KEY, {
      accountId: ACCOUNT,
      arn: `arn:aws:iam::${ACCOUNT}:user/deployer`,
    });
    fs.mkdirSync(scratchParent, { recursive: true });
    aws.dir = fs.mkdtempSync(path.join(scratchParent, "shared-oidc-"));
    saved = Object.fromEntries(AWS_ENV.map((k) => [k, process.env[k]]));
    for (const k of AWS_ENV) delete process.env[k];
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: DEPLOYER_KEY,
      AWS_SECRET_ACCESS_KEY: DEPLOYER_SECRET,
      AWS_ENDPOINT_URL_IAM: aws.iam.endpoint,
      AWS_ENDPOINT_URL_STS: aws.iam.endpoint,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: path.join(aws.dir, "no-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(aws.dir, "no-credentials"),
    });
  });
  afterEach(async () => {
    for (const k of AWS_ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    fs.rmSync(aws.dir, { recursive: true, force: true });
    await aws.iam.close();
    assert.deepEqual(metadataGuard.attempts, []);
  });
  return aws;
}

describe("shared OIDC provider (dynamic provider against a loopback IAM)", () => {
  const aws = useLoopbackAws(os.tmpdir());
  let iam: IamStandIn;
  let warnings: string[];
  let consoleWarn: typeof console.warn;

  beforeEach(() => {
    iam = aws.iam;
    warnings = [];
    consoleWarn = console.warn;
    console.warn = (message: string) => warnings.push(message);
  });

  afterEach(() => {
    console.warn = consoleWarn;
  });

  describe("create", () => {
    it("creates the provider with only this stack's audience and no thumbprints when the account has none", async () => {
      const result = await provider.create(inputs());
      assert.deepEqual(result, { id: ARN, outs: outs({}, true) });
      assert.deepEqual(iam.providers.get(ARN)?.clientIds, [A]);
      assert.deepEqual(iam.providers.get(ARN)?.thumbprints, []);
      assert.deepEqual(conversation(iam), [
        "GetCallerIdentity 200",
        "AddClientIDToOpenIDConnectProvider NoSuchEntity",
        "CreateOpenIDConnectProvider 200",
      ]);
      const create = iam.callsOf("CreateOpenIDConnectProvider")[0];
      assert.deepEqual(
        [...(create?.params.entries() ?? [])],
        [
          ["Action", "CreateOpenIDConnectProvider"],
          ["Version", "2010-05-08"],
          ["Url", ISSUER],
          ["ClientIDList.member.1", A],
        ],
      );
    });

    it("creates the provider with the configured thumbprints", async () => {
      const thumbprints = ["626d44e704d1ceabe3bf0d53397464ac8080142c"];
      await provider.create(inputs({ thumbprints }));
      assert.deepEqual(iam.providers.get(ARN)?.thumbprints, thumbprints);
    });

    it("adds its audience to an existing provider and leaves the other audiences untouched", async () => {
      seed(iam, ["api://team-x", "api://team-y"]);
      const result = await provider.create(inputs());
      assert.deepEqual(result, { id: ARN, outs: outs({}, false) });
      assert.deepEqual(listed(iam), ["api://team-x", "api://team-y", A]);
      assert.deepEqual(conversation(iam), [
        "GetCallerIdentity 200",
        "AddClientIDToOpenIDConnectProvider 200",
      ]);
    });

    it("adopts a provider another stack creates between its add and its create (EntityAlreadyExists)", async () => {
      iam.before = (call) => {
        if (call.action === "CreateOpenIDConnectProvider" && !iam.providers.has(ARN))
          seed(iam, [B]);
      };
      const result = await provider.create(inputs());
      assert.deepEqual(result, { id: ARN, outs: outs({}, false) });
      assert.deepEqual(listed(iam), [B, A]);
      assert.deepEqual(conversation(iam), [
        "GetCallerIdentity 200",
        "AddClientIDToOpenIDConnectProvider NoSuchEntity",
        "CreateOpenIDConnectProvider EntityAlreadyExists",
        "AddClientIDToOpenIDConnectProvider 200",
      ]);
    });

    it("explains IAM's limit of 100 client IDs, naming the provider and the fix, without retrying", async () => {
      seed(
        iam,
        Array.from({ length: 100 }, (_, i) => `api://stack-${i}`),
      );
      await assert.rejects(provider.create(inputs()), {
        message:
          `cannot add audience ${A} to the IAM OIDC provider ${ARN}: it already lists 100 client IDs, IAM's limit per provider. ` +
          `Remove audiences no stack uses any more (aws iam get-open-id-connect-provider --open-id-connect-provider-arn ${ARN} lists them; ` +
          `aws iam remove-client-id-from-open-id-connect-provider --open-id-connect-provider-arn ${ARN} --client-id <unused audience>), ` +
          `or let stacks share one Entra audience, then deploy again ` +
          `(IAM: LimitExceededException: Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100)`,
      });
      // The SDK alone would retry it: it counts any LimitExceededException as throttling.
      assert.equal(iam.callsOf("AddClientIDToOpenIDConnectProvider").length, 1);
      assert.equal(listed(iam)?.length, 100);
    });

    it("retries throttling (400 Throttling, 503) with backoff and then succeeds", async () => {
      seed(iam, [B]);
      iam.faults.push(
        {
          action: "AddClientIDToOpenIDConnectProvider",
          code: "Throttling",
          status: 400,
          message: "Rate exceeded",
        },
        { action: "AddClientIDToOpenIDConnectProvider", code: "ServiceUnavailable", status: 503 },
      );
      const result = await provider.create(inputs());
      assert.deepEqual(result.outs, outs({}, false));
      assert.deepEqual(conversation(iam), [
        "GetCallerIdentity 200",
        "AddClientIDToOpenIDConnectProvider Throttling",
        "AddClientIDToOpenIDConnectProvider ServiceUnavailable",
        "AddClientIDToOpenIDConnectProvider 200",
      ]);
      assert.deepEqual(listed(iam), [B, A]);
    });

    it("retries IAM's ConcurrentModification, which two stacks changing one provider cause", async () => {
      seed(iam, [B]);
      iam.faults.push({
        action: "AddClientIDToOpenIDConnectProvider",
        code: "ConcurrentModification",
        status: 409,
      });
      await provider.create(inputs());
      assert.equal(iam.callsOf("AddClientIDToOpenIDConnectProvider").length, 2);
      assert.deepEqual(listed(iam), [B, A]);
    });

    it("fails before any IAM call when the credentials resolve to another account", async () => {
      iam.identities.set(DEPLOYER_KEY, {
        accountId: OTHER_ACCOUNT,
        arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/deployer`,
      });
      await assert.rejects(provider.create(inputs()), {
        message:
          `the AWS credentials for the shared OIDC provider (the default credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...)) ` +
          `are arn:aws:iam::${OTHER_ACCOUNT}:user/deployer in account ${OTHER_ACCOUNT}, not accountId ${ACCOUNT}: ` +
          `use credentials for account ${ACCOUNT} or set assumeRoleArn to a role in it; nothing was changed`,
      });
      assert.deepEqual(conversation(iam), ["GetCallerIdentity 200"]);
      assert.equal(iam.providers.size, 0);
    });

    it("with assumeRoleArn, calls IAM with the role's temporary credentials in the role's account", async () => {
      iam.identities.set(DEPLOYER_KEY, {
        accountId: MANAGEMENT_ACCOUNT,
        arn: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:user/pipeline`,
      });
      iam.roles.set(DEPLOYER_ROLE, [MANAGEMENT_ACCOUNT]);
      const result = await provider.create(inputs({ assumeRoleArn: DEPLOYER_ROLE }));
      assert.deepEqual(result.outs, outs({ assumeRoleArn: DEPLOYER_ROLE }, true));

      const assume = iam.callsOf("AssumeRole");
      assert.equal(assume.length, 2, "one AssumeRole per client (IAM, STS)");
      for (const call of assume) {
        assert.equal(call.accessKeyId, DEPLOYER_KEY);
        assert.equal(call.service, "sts");
        assert.equal(call.params.get("RoleArn"), DEPLOYER_ROLE);
        assert.equal(call.params.get("RoleSessionName"), ROLE_SESSION_NAME);
      }
      const others = iam.calls.filter((c) => c.action !== "AssumeRole");
      assert.deepEqual(
        others.map((c) => [
          c.action,
          c.service,
          iam.identities.get(c.accessKeyId)?.arn,
          c.code ?? c.status,
        ]),
        [
          [
            "GetCallerIdentity",
            "sts",
            `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/${ROLE_SESSION_NAME}`,
            200,
          ],
          [
            "AddClientIDToOpenIDConnectProvider",
            "iam",
            `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/${ROLE_SESSION_NAME}`,
            "NoSuchEntity",
          ],
          [
            "CreateOpenIDConnectProvider",
            "iam",
            `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/${ROLE_SESSION_NAME}`,
            200,
          ],
        ],
      );
      assert.ok(others.every((c) => c.accessKeyId.startsWith("ASIA")));
      assert.deepEqual(listed(iam), [A]);
    });

    it("a role its caller may not assume fails the deployment and creates nothing", async () => {
      iam.identities.set(DEPLOYER_KEY, {
        accountId: MANAGEMENT_ACCOUNT,
        arn: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:user/pipeline`,
      });
      iam.roles.set(DEPLOYER_ROLE, [OTHER_ACCOUNT]);
      await assert.rejects(provider.create(inputs({ assumeRoleArn: DEPLOYER_ROLE })), {
        name: "AccessDenied",
        message: `User: arn:aws:iam::${MANAGEMENT_ACCOUNT}:user/pipeline is not authorized to perform: sts:AssumeRole on resource: ${DEPLOYER_ROLE}`,
      });
      assert.deepEqual(
        iam.calls.filter((c) => c.service === "iam"),
        [],
      );
    });
  });

  describe("delete", () => {
    it("removes only its own audience from a provider it did not create", async () => {
      seed(iam, ["api://team-x", A]);
      await provider.delete(ARN, outs({}, false));
      assert.deepEqual(listed(iam), ["api://team-x"]);
      assert.deepEqual(conversation(iam), [
        "GetCallerIdentity 200",
        "RemoveClientIDFromOpenIDConnectProvider 200",
      ]);
      assert.deepEqual(warnings, []);
    });

    it("deletes the provider it created once no audience is left", async () => {
      seed(iam, [A]);
      await provider.delete(ARN, outs({}, true));
      assert.equal(iam.providers.has(ARN), false);
      assert.deepEqual(conversation(iam), [
        "GetCallerIdentity 200",
        "RemoveClientIDFromOpenIDConnectProvider 200",
        "GetOpenIDConnectProvider 200",
        "DeleteOpenIDConnectProvider 200",
      ]);
    });

    it("leaves a provider it created in place while other audiences use it, and says so", async () => {
      seed(iam, [A, B]);
      await provider.delete(ARN, outs({}, true));
      assert.deepEqual(listed(iam), [B]);
      assert.deepEqual(warnings, [
        `warning: the IAM OIDC provider ${ARN} was created by this stack but is left in place: ` +
          `1 other audience still uses it (${B}). ` +
          `Audience ${A} was removed; the provider is not deleted by any stack now, delete it by hand once unused.`,
      ]);
      assert.equal(iam.callsOf("DeleteOpenIDConnectProvider").length, 0);
    });

    it("does not count its own audience when IAM still lists it right after the removal", async () => {
      seed(iam, [A]);
      // Eventual consistency: the read after RemoveClientID still shows the removed audience.
      iam.before = (call) => {
        if (call.action === "GetOpenIDConnectProvider") iam.providers.get(ARN)?.clientIds.push(A);
      };
      await provider.delete(ARN, outs({}, true));
      assert.equal(iam.providers.has(ARN), false);
      assert.deepEqual(warnings, []);
    });

    it("treats NoSuchEntity as already gone: on removing the audience and on deleting the provider", async () => {
      await provider.delete(ARN, outs({}, true));
      assert.deepEqual(conversation(iam), [
        "GetCallerIdentity 200",
        "RemoveClientIDFromOpenIDConnectProvider NoSuchEntity",
      ]);

      iam.calls.length = 0;
      seed(iam, [A]);
      iam.before = (call) => {
        if (call.action === "DeleteOpenIDConnectProvider") iam.providers.delete(ARN);
      };
      await provider.delete(ARN, outs({}, true));
      assert.deepEqual(conversation(iam), [
        "GetCallerIdentity 200",
        "RemoveClientIDFromOpenIDConnectProvider 200",
        "GetOpenIDConnectProvider 200",
        "DeleteOpenIDConnectProvider NoSuchEntity",
      ]);
    });

    it("touches nothing when the credentials resolve to another account", async () => {
      seed(iam, [A]);
      iam.identities.set(DEPLOYER_KEY, {
        accountId: OTHER_ACCOUNT,
        arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/deployer`,
      });
      await assert.rejects(provider.delete(ARN, outs({}, true)), /not accountId 111122223333/);
      assert.deepEqual(conversation(iam), ["GetCallerIdentity 200"]);
      assert.deepEqual(listed(iam), [A]);
    });
  });

  describe("two stacks in one account", () => {
    it("deploy concurrently into an account without a provider: one creates it, the other adopts it", async () => {
      const [a, b] = await Promise.all([
        provider.create(inputs({ audience: A })),
        provider.create(inputs({ audience: B })),
      ]);
      assert.deepEqual([...(listed(iam) ?? [])].sort(), [A, B]);
      assert.deepEqual(
        [a.outs.createdByThisStack, b.outs.createdByThisStack].sort(),
        [false, true],
        "exactly one creator",
      );
      const creates = iam.callsOf("CreateOpenIDConnectProvider");
      assert.equal(creates.filter((c) => c.status === 200).length, 1);
      assert.equal(
        creates.filter((c) => c.code === "EntityAlreadyExists").length,
        creates.length - 1,
      );
    });

    it("destroy concurrently: each removes its own audience and the third stack's stays", async () => {
      seed(iam, [A, B, C]);
      await Promise.all([
        provider.delete(ARN, outs({ audience: A }, true)),
        provider.delete(ARN, outs({ audience: B }, false)),
      ]);
      assert.deepEqual(listed(iam), [C]);
      // The creator saw B or not, depending on which removal IAM handled first.
      const left = (others: string) =>
        `warning: the IAM OIDC provider ${ARN} was created by this stack but is left in place: ${others}. ` +
        `Audience ${A} was removed; the provider is not deleted by any stack now, delete it by hand once unused.`;
      assert.equal(warnings.length, 1);
      assert.ok(
        [
          left(`1 other audience still uses it (${C})`),
          left(`2 other audiences still use it (${B}, ${C})`),
        ].includes(warnings[0] ?? ""),
        warnings[0],
      );
    });

    it("any order: the creator destroys first and the provider stays for the other; the other destroys last and leaves it", async () => {
      const a = await provider.create(inputs({ audience: A }));
      const b = await provider.create(inputs({ audience: B }));
      assert.deepEqual([a.outs.createdByThisStack, b.outs.createdByThisStack], [true, false]);
      await provider.delete(ARN, a.outs);
      assert.deepEqual(listed(iam), [B]);
      assert.equal(warnings.length, 1);
      await provider.delete(ARN, b.outs);
      assert.deepEqual(listed(iam), []);
      assert.equal(iam.callsOf("DeleteOpenIDConnectProvider").length, 0);
    });

    it("any order: the other destroys first, then the creator deletes the empty provider", async () => {
      const a = await provider.create(inputs({ audience: A }));
      const b = await provider.create(inputs({ audience: B }));
      await provider.delete(ARN, b.outs);
      assert.deepEqual(listed(iam), [A]);
      await provider.delete(ARN, a.outs);
      assert.equal(iam.providers.has(ARN), false);
      assert.deepEqual(warnings, []);
    });

    it("a stack deploying while the creator destroys the provider creates it again and becomes its creator", async () => {
      seed(iam, [A]);
      iam.before = (call) => {
        // B's add reaches IAM after the creator deleted the provider.
        if (call.action === "AddClientIDToOpenIDConnectProvider") iam.providers.delete(ARN);
      };
      const b = await provider.create(inputs({ audience: B }));
      assert.equal(b.outs.createdByThisStack, true);
      assert.deepEqual(listed(iam), [B]);
    });

    it("an add that lands between the creator's last read and its delete is lost, and the next diff and update put the provider back", async () => {
      seed(iam, [A]);
      iam.before = (call) => {
        // IAM has no conditional delete: B's add lands just before the creator's delete.
        if (call.action === "DeleteOpenIDConnectProvider")
          iam.providers.get(ARN)?.clientIds.push(B);
      };
      await provider.delete(ARN, outs({ audience: A }, true));
      assert.equal(iam.providers.has(ARN), false);
      iam.before = undefined;

      const bState = outs({ audience: B }, false);
      assert.deepEqual(await provider.diff(ARN, bState, inputs({ audience: B })), {
        changes: true,
      });
      const updated = await provider.update(ARN, bState, inputs({ audience: B }));
      assert.deepEqual(updated.outs, outs({ audience: B }, true));
      assert.deepEqual(listed(iam), [B]);
    });
  });

  describe("read, diff and update", () => {
    it("read reports an audience removed out of band as absent, diff then asks for an update, and update adds it back", async () => {
      const created = await provider.create(inputs());
      iam.providers.get(ARN)?.clientIds.splice(0);
      iam.calls.length = 0;

      const read = await provider.read(ARN, created.outs);
      assert.deepEqual(read, { id: ARN, props: { ...outs({}, true), audienceRegistered: false } });
      assert.deepEqual(conversation(iam), [
        "GetCallerIdentity 200",
        "GetOpenIDConnectProvider 200",
      ]);

      iam.calls.length = 0;
      const refreshed = read.props as SharedOidcProviderOutputs;
      assert.deepEqual(await provider.diff(ARN, refreshed, inputs()), { changes: true });
      assert.deepEqual(conversation(iam), [], "a refreshed state needs no call to know");

      const updated = await provider.update(ARN, refreshed, inputs());
      assert.deepEqual(updated, { outs: outs({}, true) });
      assert.deepEqual(listed(iam), [A]);
    });

    it("diff without a refresh asks IAM and notices the audience is gone", async () => {
      const created = await provider.create(inputs());
      assert.deepEqual(await provider.diff(ARN, created.outs, inputs()), { changes: false });
      iam.providers.get(ARN)?.clientIds.splice(0);
      iam.calls.length = 0;
      assert.deepEqual(await provider.diff(ARN, created.outs, inputs()), { changes: true });
      assert.deepEqual(conversation(iam), [
        "GetCallerIdentity 200",
        "GetOpenIDConnectProvider 200",
      ]);
    });

    it("read of a provider that is gone reports the resource gone", async () => {
      assert.deepEqual(await provider.read(ARN, outs({}, false)), { id: "" });
    });

    it("read still lists the audience as registered when it is", async () => {
      seed(iam, [B, A]);
      assert.deepEqual(await provider.read(ARN, outs({}, false)), {
        id: ARN,
        props: outs({}, false),
      });
    });

    it("diff replaces for another issuer or account, updates the rest in place, and calls nothing for it", async () => {
      const olds = outs({}, true);
      assert.deepEqual(await provider.diff(ARN, olds, inputs({ accountId: OTHER_ACCOUNT })), {
        changes: true,
        replaces: ["accountId"],
        deleteBeforeReplace: false,
      });
      assert.deepEqual(
        await provider.diff(
          ARN,
          olds,
          inputs({ issuerUrl: "https://sts.windows.net/0f0e0d0c-0b0a-4908-8706-050403020100/" }),
        ),
        { changes: true, replaces: ["issuerUrl"], deleteBeforeReplace: false },
      );
      assert.deepEqual(await provider.diff(ARN, olds, inputs({ audience: B })), { changes: true });
      assert.deepEqual(await provider.diff(ARN, olds, inputs({ region: "us-east-1" })), {
        changes: true,
      });
      assert.deepEqual(iam.calls, []);
    });

    it("update to a new audience adds it before removing the old one and keeps the creator", async () => {
      const created = await provider.create(inputs());
      iam.calls.length = 0;
      const updated = await provider.update(ARN, created.outs, inputs({ audience: B }));
      assert.deepEqual(updated, { outs: outs({ audience: B }, true) });
      assert.deepEqual(listed(iam), [B]);
      assert.deepEqual(
        iam.calls.map((c) => `${c.action} ${c.params.get("ClientID") ?? ""}`),
        [
          "GetCallerIdentity ",
          `AddClientIDToOpenIDConnectProvider ${B}`,
          `RemoveClientIDFromOpenIDConnectProvider ${A}`,
        ],
      );
    });
  });
});

describe("shared OIDC provider inputs", () => {
  it("check accepts good inputs and values not known yet", async () => {
    assert.deepEqual(checkInputs(inputs({ assumeRoleArn: DEPLOYER_ROLE })), []);
    assert.deepEqual(
      checkInputs(
        inputs({
          issuerUrl: UNKNOWN,
          audience: UNKNOWN,
          accountId: UNKNOWN,
          assumeRoleArn: UNKNOWN,
        }),
      ),
      [],
    );
    const news = inputs();
    assert.deepEqual(await provider.check(news, news), { inputs: news, failures: [] });
  });

  it("check names each bad input, its value and what is allowed", () => {
    assert.deepEqual(
      checkInputs({
        issuerUrl: "https://STS.windows.net:443/x?y=1",
        audience: "",
        accountId: "1234",
        region: "Europe",
        assumeRoleArn: "arn:aws:iam::444455556666:role/deployer",
        thumbprints: ["626D44E704D1CEABE3BF0D53397464AC8080142C"],
      }),
      [
        {
          property: "issuerUrl",
          reason:
            'issuerUrl "https://STS.windows.net:443/x?y=1" must be the token issuer as an https:// URL in normal form, without port, query or fragment (the Entra v1 issuer, https://<issuer host>/<tenantId>/)',
        },
        {
          property: "audience",
          reason: `audience "" must be 1 to 255 characters (IAM's client ID limit)`,
        },
        { property: "accountId", reason: 'accountId "1234" must be a 12-digit AWS account id' },
        {
          property: "region",
          reason: 'region "Europe" must be an AWS region name such as eu-west-1',
        },
        {
          property: "thumbprints",
          reason:
            'thumbprints ["626D44E704D1CEABE3BF0D53397464AC8080142C"] must be 40 lower-case hex characters each (a certificate\'s SHA-1)',
        },
      ],
    );
    assert.deepEqual(
      checkInputs(inputs({ assumeRoleArn: "arn:aws:iam::444455556666:role/deployer" })),
      [
        {
          property: "assumeRoleArn",
          reason: `assumeRoleArn "arn:aws:iam::444455556666:role/deployer" is a role in account 444455556666, not accountId ${ACCOUNT}`,
        },
      ],
    );
    assert.deepEqual(checkInputs(inputs({ assumeRoleArn: "deployer" })), [
      {
        property: "assumeRoleArn",
        reason:
          'assumeRoleArn "deployer" must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
      },
    ]);
    assert.deepEqual(
      checkInputs(inputs({ audience: "x".repeat(256) })).map((f) => f.property),
      ["audience"],
    );
  });

  it("diffInputs: a replacing input not known yet counts as an update until it is known", () => {
    assert.deepEqual(diffInputs(outs({}, true), inputs({ accountId: UNKNOWN })), {
      replaces: [],
      updates: ["accountId"],
    });
    assert.deepEqual(
      diffInputs(
        outs({}, true),
        inputs({ thumbprints: ["626d44e704d1ceabe3bf0d53397464ac8080142c"] }),
      ),
      {
        replaces: [],
        updates: ["thumbprints"],
      },
    );
    assert.deepEqual(diffInputs(outs({}, true), inputs()), { replaces: [], updates: [] });
  });
});

describe("SharedOidcProvider resource", () => {
  const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
  const SIG_KEY = "4dabf18193072939515e22adb298388d";
  let registered: pulumi.runtime.MockResourceArgs[];

  beforeEach(() => {
    registered = [];
    return pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push(args);
          return { id: "provider-id", state: { ...args.inputs, arn: ARN } };
        },
        call: () => ({}),
      },
      "entra-aws-federation",
      "dev",
      false,
    );
  });

  it("registers the dynamic type with inputs that hold no secret, and a provider whose code captured none", async () => {
    const resource = new SharedOidcProvider("shared", {
      issuerUrl: ISSUER,
      audience: A,
      accountId: ACCOUNT,
      region: "eu-west-1",
      assumeRoleArn: DEPLOYER_ROLE,
    });
    const arn = await new Promise<string>((resolve) => resource.arn.apply(resolve));
    assert.equal(arn, ARN);
    assert.equal(registered.length, 1);
    const [args] = registered;
    assert.equal(
      args?.type,
      `pulumi-nodejs:dynamic/${SHARED_OIDC_PROVIDER_MODULE}:${SHARED_OIDC_PROVIDER_TYPE}`,
    );
    assert.equal(args?.type, "pulumi-nodejs:dynamic/entra-aws-federation/aws:SharedOidcProvider");
    const { __provider: serialized, ...rest } = args?.inputs as Record<string, unknown>;
    assert.deepEqual(rest, {
      issuerUrl: ISSUER,
      audience: A,
      accountId: ACCOUNT,
      region: "eu-west-1",
      assumeRoleArn: DEPLOYER_ROLE,
      thumbprints: [],
    });
    // The SDK wraps __provider as a secret when the serialized code captured one (dynamic/index.js).
    assert.equal(typeof serialized, "string", "__provider is plain text, not a secret");
    assert.equal(JSON.stringify(args?.inputs).includes(SECRET_SIG), false);
    assert.equal(JSON.stringify(args?.inputs).includes(SIG_KEY), false);
    assert.equal((serialized as string).includes(DEPLOYER_SECRET), false);
  });
});

describe("SharedOidcProvider serialized as the engine runs it", () => {
  // Under node_modules, so the serialized code's require() calls resolve the repository's packages.
  const aws = useLoopbackAws(path.join(__dirname, "..", "node_modules", ".cache"));

  it("serializes without secrets, loads as a module and creates the provider", async () => {
    // What dynamic/index.js does with the provider object, then cmd/dynamic-provider's load.
    const serialized = await pulumi.runtime.serializeFunction(() => provider, {
      allowSecrets: true,
    });
    assert.equal(serialized.containsSecrets, false);
    // Packages are required at run time, not inlined (createClosure.js captureModuleAsync).
    assert.match(serialized.text, /require\("@aws-sdk\/client-iam[/\w.-]*"\)/);
    const file = path.join(aws.dir, "provider.js");
    fs.writeFileSync(file, serialized.text);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading generated code
    const loaded = (require(file) as { handler: () => typeof provider }).handler();
    const result = await loaded.create(inputs());
    assert.deepEqual(result, { id: ARN, outs: outs({}, true) });
    assert.deepEqual(listed(aws.iam), [A]);
  });
});
