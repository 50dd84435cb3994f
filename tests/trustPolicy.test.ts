import { strict as assert } from "node:assert";
import { caThumbprints, thumbprintUrls } from "../lib/thumbprints";
import {
  buildTrustPolicy,
  conditionKeys,
  issuerHostPath,
  oidcProviderArn,
  policyLength,
  subjectsThatFit,
} from "../lib/trustPolicy";
import {
  addDays,
  secretRotation,
  defaultIdentifierUri,
  entraCloud,
  identifierUriTenant,
  stableAppRoleId,
  tokenScope,
  v1IssuerUrl,
} from "../lib/entra";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ISSUER = `https://sts.windows.net/${TENANT}/`;
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/`;
const SUB_A = "1ea7e6e0-7876-4d1c-aec5-7b1c927ede74";
const SUB_B = "5f1f6a1e-0f2e-4b7e-9a43-2d0e1d6c7b11";

describe("issuer, provider ARN and condition keys", () => {
  it("keeps the trailing slash of the v1 issuer everywhere", () => {
    assert.equal(v1IssuerUrl(entraCloud("AzurePublic"), TENANT), ISSUER);
    assert.equal(issuerHostPath(ISSUER), `sts.windows.net/${TENANT}/`);
    assert.deepEqual(conditionKeys(ISSUER), {
      aud: `sts.windows.net/${TENANT}/:aud`,
      sub: `sts.windows.net/${TENANT}/:sub`,
    });
  });

  const arns: [partition: string, expected: string][] = [
    ["aws", PROVIDER],
    ["aws-us-gov", `arn:aws-us-gov:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/`],
    ["aws-cn", `arn:aws-cn:iam::123456789012:oidc-provider/sts.windows.net/${TENANT}/`],
  ];
  for (const [partition, expected] of arns) {
    it(`derives the provider ARN in partition ${partition}`, () => {
      assert.equal(oidcProviderArn(partition, "123456789012", ISSUER), expected);
    });
  }

  it("rejects an issuer that is not https", () => {
    assert.throws(() => issuerHostPath("http://sts.windows.net/x/"), {
      message: 'issuer URL must start with https://, got "http://sts.windows.net/x/"',
    });
  });
});

describe("buildTrustPolicy", () => {
  it("pins aud and one sub with StringEquals", () => {
    assert.deepEqual(
      buildTrustPolicy({
        providerArn: PROVIDER,
        issuerUrl: ISSUER,
        audience: "api://app",
        subjects: [SUB_A],
      }),
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: PROVIDER },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`sts.windows.net/${TENANT}/:aud`]: "api://app",
                [`sts.windows.net/${TENANT}/:sub`]: [SUB_A],
              },
            },
          },
        ],
      },
    );
  });

  it("lists several subjects in order under one StringEquals", () => {
    const doc = buildTrustPolicy({
      providerArn: PROVIDER,
      issuerUrl: ISSUER,
      audience: "api://app",
      subjects: [SUB_A, SUB_B],
    });
    assert.equal(
      JSON.stringify(doc),
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PROVIDER}"},` +
        `"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{` +
        `"sts.windows.net/${TENANT}/:aud":"api://app","sts.windows.net/${TENANT}/:sub":["${SUB_A}","${SUB_B}"]}}}]}`,
    );
  });

  it("refuses to build a policy with no subject", () => {
    assert.throws(
      () =>
        buildTrustPolicy({ providerArn: PROVIDER, issuerUrl: ISSUER, audience: "a", subjects: [] }),
      { message: "a trust policy needs at least one subject" },
    );
  });
});

describe("policyLength and subjectsThatFit", () => {
  it("counts JSON characters without whitespace", () => {
    assert.equal(policyLength({ a: "x y" }), '{"a":"xy"}'.length);
  });

  const base = { providerArn: PROVIDER, issuerUrl: ISSUER, audience: `api://${SUB_A}` };
  const oneSubject = policyLength(buildTrustPolicy({ ...base, subjects: [SUB_A] }));
  const perSubject = 39; // 36-character GUID, two quotes and a comma
  const table: [max: number, expected: number][] = [
    [oneSubject - 1, 0],
    [oneSubject, 1],
    [oneSubject + perSubject - 1, 1],
    [oneSubject + perSubject, 2],
    [2048, 1 + Math.floor((2048 - oneSubject) / perSubject)],
  ];
  for (const [max, expected] of table) {
    it(`fits ${expected} subjects in ${max} characters`, () => {
      assert.equal(subjectsThatFit(base, max), expected);
      if (expected > 0) {
        const subjects = Array.from({ length: expected }, () => SUB_A);
        assert.ok(policyLength(buildTrustPolicy({ ...base, subjects })) <= max);
        assert.ok(
          policyLength(buildTrustPolicy({ ...base, subjects: [...subjects, SUB_A] })) > max,
        );
      }
    });
  }

  it("fits 41 subjects in the default 2048-character quota for a default audience", () => {
    assert.equal(oneSubject, 457);
    assert.equal(subjectsThatFit(base, 2048), 41);
    assert.equal(subjectsThatFit(base, 4096), 94);
  });
});

describe("caThumbprints", () => {
  const URLS = ["https://sts.windows.net", "https://login.microsoftonline.com"];
  const cas = (digits: string[]) =>
    digits.map((d) => ({ sha1Fingerprint: d.repeat(40), isCa: true }));

  it("keeps CA certificates only, lower-cased, de-duplicated and sorted", () => {
    assert.deepEqual(
      caThumbprints(
        [
          { sha1Fingerprint: "BBBB000000000000000000000000000000000000", isCa: true },
          { sha1Fingerprint: "cccc000000000000000000000000000000000000", isCa: false },
          { sha1Fingerprint: "aaaa000000000000000000000000000000000000", isCa: true },
          { sha1Fingerprint: "bbbb000000000000000000000000000000000000", isCa: true },
        ],
        URLS,
      ),
      ["aaaa000000000000000000000000000000000000", "bbbb000000000000000000000000000000000000"],
    );
  });

  it("keeps five, IAM's limit", () => {
    assert.deepEqual(
      caThumbprints(cas(["5", "4", "3", "2", "1"]), URLS),
      ["1", "2", "3", "4", "5"].map((d) => d.repeat(40)),
    );
  });

  it("refuses six rather than drop one AWS may need, naming them and the fix", () => {
    const six = ["1", "2", "3", "4", "5", "6"].map((d) => d.repeat(40));
    assert.throws(() => caThumbprints(cas(["6", "5", "4", "3", "2", "1"]), URLS), {
      message:
        `oidcProvider.thumbprints: "auto" found 6 CA thumbprints in the certificate chains of https://sts.windows.net and https://login.microsoftonline.com ` +
        `(${six.join(", ")}), more than IAM's 5 per provider: pin at most 5 of them as oidcProvider.thumbprints, ` +
        `or use "none" (AWS then verifies the JWKS host against its trusted CAs)`,
    });
  });
});

describe("thumbprintUrls", () => {
  it("names the issuer's host and the JWKS host, each once", () => {
    assert.deepEqual(
      thumbprintUrls(ISSUER, "https://login.microsoftonline.com/common/discovery/keys"),
      ["https://sts.windows.net", "https://login.microsoftonline.com"],
    );
    assert.deepEqual(thumbprintUrls("https://idp.example/t/", "https://idp.example/keys"), [
      "https://idp.example",
    ]);
  });
});

describe("the v1 issuer per cloud", () => {
  const issuers: [cloud: "AzurePublic" | "AzureChina", issuer: string][] = [
    ["AzurePublic", ISSUER],
    ["AzureChina", `https://sts.chinacloudapi.cn/${TENANT}/`],
  ];
  for (const [cloud, issuer] of issuers) {
    it(`${cloud}: ${issuer}, its condition keys and provider ARN`, () => {
      const url = v1IssuerUrl(entraCloud(cloud), TENANT);
      const hostPath = issuer.slice("https://".length);
      assert.equal(url, issuer);
      assert.deepEqual(conditionKeys(url), { aud: `${hostPath}:aud`, sub: `${hostPath}:sub` });
      assert.equal(
        oidcProviderArn("aws-cn", "123456789012", url),
        `arn:aws-cn:iam::123456789012:oidc-provider/${hostPath}`,
      );
    });
  }

  it("refuses AzureUSGovernment, whose v1 issuer no public source confirms", () => {
    assert.throws(() => entraCloud("AzureUSGovernment"), {
      message:
        "cloud AzureUSGovernment is not supported yet: no public Microsoft source confirms the v1 token issuer of Azure US Government tenants, and a wrong issuer would make every role unassumable",
    });
  });
});

describe("Entra derivations", () => {
  it("derives the default audience and the token scope", () => {
    assert.equal(defaultIdentifierUri(SUB_A), `api://${SUB_A}`);
    assert.equal(tokenScope(`api://${SUB_A}`), `api://${SUB_A}/.default`);
  });

  it("derives a stable, stack-specific app role id", () => {
    const dev = stableAppRoleId("entra-aws-federation", "dev", "federation");
    assert.equal(dev, stableAppRoleId("entra-aws-federation", "dev", "federation"));
    assert.notEqual(dev, stableAppRoleId("entra-aws-federation", "prod", "federation"));
    assert.match(dev, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  const uris: [uri: string, tenant: string | undefined][] = [
    [`api://${TENANT.toUpperCase()}/aws`, TENANT],
    [`api://${TENANT}`, undefined],
    ["api://contoso.com/aws", undefined],
    ["https://contoso.com/aws", undefined],
  ];
  for (const [uri, tenant] of uris) {
    it(`reads the tenant of ${uri}`, () => assert.equal(identifierUriTenant(uri), tenant));
  }
});

describe("caller app secret rotation", () => {
  const table: [expiresInDays: number, rotationDays: number, overlapDays: number][] = [
    [1, 1, 0],
    [3, 2, 1],
    [90, 60, 30],
    [180, 150, 30],
    [730, 700, 30],
  ];
  for (const [expires, rotation, overlap] of table) {
    it(`a ${expires}-day secret is replaced after ${rotation} days, ${overlap} before it expires`, () => {
      assert.deepEqual(secretRotation(expires), { rotationDays: rotation, overlapDays: overlap });
    });
  }

  it("computes the end date from the rotation's start, without fractional seconds", () => {
    assert.equal(addDays("2026-11-22T10:20:30Z", 90), "2027-02-20T10:20:30Z");
    assert.throws(() => addDays("soon", 1), { message: 'not an RFC 3339 time: "soon"' });
  });
});
