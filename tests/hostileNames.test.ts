import { strict as assert } from "node:assert";
import { withProtoKey } from "./configCases";
import { ACCOUNT_ID, fakeGuid, runProgram, settle } from "./fakeClouds";

const NS = "entra-aws-federation";
const PRINCIPAL = "1ea7e6e0-7876-4d1c-aec5-7b1c927ede74";
const CLIENT = "0b1d3e56-2f4a-4c1e-9d77-3a5e8f9c0d21";
const servicePrincipals = { [PRINCIPAL]: { clientId: CLIENT } };
const policy = (name: string) => `arn:aws:iam::${ACCOUNT_ID}:policy/${name}`;
const deny = { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] };

const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const INLINE = "aws:iam/rolePolicy:RolePolicy";
/** The URN a role's child had under its old name, as the engine forms it (the whole type chain). */
const oldUrn = (type: string, name: string) =>
  `urn:pulumi:dev::entra-aws-federation::entra-aws-federation:index:Federation$entra-aws-federation:aws:FederatedRole$${type}::${name}`;

function stack(roles: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    [`${NS}:identities`]: [{ name: "legacy-vm", principalId: PRINCIPAL }],
    [`${NS}:roles`]: roles,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${NS}:${k}`, v])),
  };
}

describe("child resource names of hostile role and policy names", () => {
  it("never share a URN, keep today's names where unambiguous, and never alias to a name another role keeps", async () => {
    const role = (name: string, more: Record<string, unknown>) => ({
      name,
      identities: ["legacy-vm"],
      ...more,
    });
    // Each pair below made the same name before: <role>-managed-<policy> (or -inline-).
    const { clouds, program } = await runProgram(
      stack([
        role("orders", { managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }),
        role("a", {
          managedPolicyArns: [policy("b-managed-c")],
          inlinePolicies: { "b-inline-c": deny },
        }),
        role("a-managed-b", { managedPolicyArns: [policy("c")] }),
        role("a-inline-b", { inlinePolicies: { c: deny } }),
        role("x", { managedPolicyArns: [policy("managed-managed-y")] }),
        role("x-managed", { managedPolicyArns: [policy("managed-y")] }),
      ]),
      { servicePrincipals },
    );
    await settle(program);

    const urns = clouds.resources.map((r) => r.urn);
    assert.equal(urns.filter((urn) => urn === "").length, 0, "every registration got a URN");
    assert.deepEqual(
      urns.filter((urn, i) => urns.indexOf(urn) !== i),
      [],
    );
    const children = clouds.resources
      .filter((r) => r.type === ATTACHMENT || r.type === INLINE)
      .map((r) => [r.name, r.aliases, r.inputs.role])
      .sort();
    assert.deepEqual(children, [
      // Each renamed child's old name is role a's or role x's live child: an alias to it would
      // make the engine hand that role's resource to the renamed one.
      ["federation-role-a-inline-b-inline-c", [], "a"],
      ["federation-role-a-inline-b/inline/c", [], "a-inline-b"],
      ["federation-role-a-managed-b-managed-c", [], "a"],
      ["federation-role-a-managed-b/managed/c", [], "a-managed-b"],
      ["federation-role-orders-managed-ReadOnlyAccess", [], "orders"],
      ["federation-role-x-managed-managed-managed-y", [], "x"],
      ["federation-role-x-managed/managed/managed-y", [], "x-managed"],
    ]);
  });

  it("aliases a renamed child to its old name when no other role keeps that name", async () => {
    const { clouds, program } = await runProgram(
      stack([
        { name: "a-managed-b", identities: ["legacy-vm"], managedPolicyArns: [policy("c")] },
        { name: "a-inline-b", identities: ["legacy-vm"], inlinePolicies: { c: deny } },
      ]),
      { servicePrincipals },
    );
    await settle(program);
    const children = clouds.resources
      .filter((r) => r.type === ATTACHMENT || r.type === INLINE)
      .map((r) => [r.name, r.aliases])
      .sort();
    assert.deepEqual(children, [
      [
        "federation-role-a-inline-b/inline/c",
        [oldUrn(INLINE, "federation-role-a-inline-b-inline-c")],
      ],
      [
        "federation-role-a-managed-b/managed/c",
        [oldUrn(ATTACHMENT, "federation-role-a-managed-b-managed-c")],
      ],
    ]);
  });
});

describe("names that are Object.prototype members", () => {
  it("creates an inline policy named __proto__ and carries constructor / prototype names to the outputs", async () => {
    const single = {
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
    };
    const { clouds, program } = await runProgram(
      {
        ...stack(
          [
            {
              name: "constructor",
              identities: ["constructor", "prototype"],
              inlinePolicies: withProtoKey(deny, { constructor: single }),
              tags: { constructor: "x" },
            },
          ],
          {
            identities: [{ name: "constructor", principalId: PRINCIPAL }],
            callerApps: [{ name: "prototype" }],
            tags: { prototype: "y" },
          },
        ),
      },
      { servicePrincipals },
    );
    const outputs = await settle(program);

    assert.deepEqual(clouds.byName("federation-role-constructor-inline-__proto__").inputs, {
      role: "constructor",
      name: "__proto__",
      policy: deny,
    });
    // A single statement is sent as a list of one, as the length check counted it.
    assert.deepEqual(clouds.byName("federation-role-constructor-inline-constructor").inputs, {
      role: "constructor",
      name: "constructor",
      policy: { ...single, Statement: [single.Statement] },
    });
    assert.deepEqual(clouds.byName("federation-role-constructor-inline-exclusive").inputs, {
      roleName: "constructor",
      policyNames: ["constructor", "__proto__"],
    });
    assert.deepEqual(clouds.byName("federation-role-constructor-role").inputs.tags, {
      prototype: "y",
      constructor: "x",
    });
    const callerSp = fakeGuid(`sp:${fakeGuid("app-client:federation-caller-prototype-app")}`);
    assert.deepEqual(outputs.roles, {
      constructor: {
        arn: `arn:aws:iam::${ACCOUNT_ID}:role/constructor`,
        name: "constructor",
        subjects: [PRINCIPAL, callerSp],
        accountId: ACCOUNT_ID,
      },
    });
    assert.deepEqual(Object.keys(outputs.identities as object), ["constructor"]);
    assert.deepEqual(Object.keys(outputs.callerApps as object), ["prototype"]);
  });
});
