import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE, DEFAULT_TRUST_POLICY_MAX_LENGTH, parseConfig } from "../lib/config";

const ROOT = path.join(__dirname, "..");
const readYaml = (file: string): unknown => parseYaml(readFileSync(path.join(ROOT, file), "utf8"));

interface ProjectFile {
  name: string;
  config: Record<string, { type: string; default: unknown; description: string }>;
}

describe("Pulumi.yaml", () => {
  const project = readYaml("Pulumi.yaml") as ProjectFile;

  it("validates against Pulumi's published project schema", () => {
    // A copy of pulumi/pulumi's sdk/go/common/workspace/project.json (Apache-2.0).
    const schema = JSON.parse(
      readFileSync(path.join(__dirname, "pulumi-project.schema.json"), "utf8"),
    ) as object;
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    assert.equal(validate(project), true, JSON.stringify(validate.errors, null, 2));
  });

  it("names the config namespace the program reads", () => {
    assert.equal(project.name, CONFIG_NAMESPACE);
  });

  it("declares the simple keys with the defaults the program applies", () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(project.config).map(([k, v]) => [k, [v.type, v.default]])),
      {
        tenantId: ["string", ""],
        trustPolicyMaxLength: ["integer", DEFAULT_TRUST_POLICY_MAX_LENGTH],
        protect: ["boolean", false],
      },
    );
  });

  it("defaults that the CLI injects parse to the same configuration as leaving them out", () => {
    const dev = (readYaml("Pulumi.dev.yaml") as { config: Record<string, unknown> }).config;
    const asStrings = (c: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(c).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
      );
    const injected = Object.fromEntries(
      Object.entries(project.config).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, v.default]),
    );
    const context = { project: CONFIG_NAMESPACE, stack: "dev" };
    assert.deepEqual(
      parseConfig(asStrings({ ...injected, ...dev }), context),
      parseConfig(asStrings(dev), context),
    );
  });
});
