import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml } from "yaml";
import { runnerCommand } from "../bench/runtime";
import { CONFIG_NAMESPACE, DEFAULT_TRUST_POLICY_MAX_LENGTH, parseConfig } from "../lib/config";

const ROOT = path.join(__dirname, "..");
const readYaml = (file: string): unknown => parseYaml(readFileSync(path.join(ROOT, file), "utf8"));

interface ProjectFile {
  name: string;
  main?: string;
  runtime: { name: string; options: Record<string, unknown> };
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

  it("runs the JavaScript `npm run build` makes, through program.js", () => {
    assert.equal(project.main, "program.js");
    assert.deepEqual(project.runtime, {
      name: "nodejs",
      options: { typescript: false, packagemanager: "npm" },
    });
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      main: string;
      scripts: Record<string, string>;
    };
    assert.equal(pkg.scripts.build, "node -r ts-node/register scripts/build.ts");
    assert.equal(pkg.main, project.main);
    const build = JSON.parse(readFileSync(path.join(ROOT, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: Record<string, unknown>;
      include: string[];
    };
    assert.equal(build.compilerOptions.outDir, "dist"); // where program.js looks
    assert.equal(build.compilerOptions.rootDir, ".");
    assert.equal(build.compilerOptions.sourceMap, true);
    assert.ok(build.include.includes("index.ts"));
    const tsconfig = JSON.parse(readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")) as {
      compilerOptions: Record<string, unknown>;
    };
    // The build compiles file by file; the type check rejects what that would compile wrongly.
    assert.equal(tsconfig.compilerOptions.isolatedModules, true);
  });

  it("starts the program in the program benchmark as the language host does", () => {
    const { args, env } = runnerCommand("/preload.js");
    assert.deepEqual(env, { BENCH_PROJECT: CONFIG_NAMESPACE, BENCH_STACK: "dev" });
    assert.deepEqual(args.slice(0, 2), ["-r", "/preload.js"]);
    assert.equal(args[2], path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run"));
    assert.deepEqual(args.slice(3), [
      "--monitor",
      "mock",
      "--project",
      CONFIG_NAMESPACE,
      "--stack",
      "dev",
      "--pwd",
      ROOT,
      "program.js",
    ]);
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
