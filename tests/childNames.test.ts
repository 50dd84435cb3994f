import { strict as assert } from "node:assert";
import { policyChildName } from "../lib/childNames";

/** Every name of one to three of these parts joined by "-": the shapes that used to collide. */
function names(): string[] {
  const parts = ["a", "b", "managed", "inline"];
  const out = [...parts];
  for (const x of parts) for (const y of parts) out.push(`${x}-${y}`);
  for (const x of parts) for (const y of parts) for (const z of parts) out.push(`${x}-${y}-${z}`);
  return out;
}

describe("policyChildName", () => {
  const all = names();

  it("gives every (role, policy) pair its own name, managed and inline alike", () => {
    for (const kind of ["managed", "inline"] as const) {
      const seen = new Map<string, string>();
      for (const role of all) {
        for (const policy of all) {
          const { name } = policyChildName(`federation-role-${role}`, kind, policy);
          const pair = `${role} + ${policy}`;
          assert.equal(seen.get(name), undefined, `${name}: ${seen.get(name)} and ${pair}`);
          seen.set(name, pair);
        }
      }
      assert.equal(seen.size, all.length * all.length);
    }
  });

  it("keeps today's name unless the kind is one of the role name's parts, and aliases the old one", () => {
    for (const role of all) {
      const component = `federation-role-${role}`;
      const kept = !role.split("-").includes("managed");
      assert.deepEqual(
        policyChildName(component, "managed", "p"),
        kept
          ? { name: `${component}-managed-p` }
          : { name: `${component}/managed/p`, previousName: `${component}-managed-p` },
        role,
      );
    }
  });
});
