import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { pulumiConfigEnv, type StackConfig } from "./stacks";

const ROOT = path.join(__dirname, "..");

interface Project {
  name: string;
  main?: string;
  runtime: { name: string; options?: Record<string, unknown> };
}

export interface RunnerCommand {
  /** Arguments to `node`. */
  readonly args: string[];
  /** Variables the language host adds to its environment. */
  readonly env: Record<string, string>;
  readonly describe: string;
}

/**
 * The command the Node.js language host runs for Pulumi.yaml, after pulumi/pulumi
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go (parseOptions, execRuntime, constructArguments):
 * `node <nodeargs> <@pulumi/pulumi/cmd/run> --monitor <addr> … --pwd <dir> <main, or ".">` with
 * PULUMI_NODEJS_TYPESCRIPT=true when `typescript` is true (its default) and
 * PULUMI_NODEJS_TSCONFIG_PATH when `tsconfig` is set. `preload` is required before the runner;
 * `main`, when given, replaces Pulumi.yaml's (a test runs its own build).
 */
export function runnerCommand(preload: string, main?: string): RunnerCommand {
  const project = parseYaml(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as Project;
  const options = project.runtime.options ?? {};
  const { typescript = true, tsconfig, nodeargs = "", packagemanager, ...others } = options;
  void packagemanager; // only used to install dependencies
  if (Object.keys(others).length > 0 || typeof nodeargs !== "string" || /["'\\]/.test(nodeargs))
    throw new Error(
      `bench/runtime.ts does not model these runtime options: ${JSON.stringify(options)}`,
    );
  const stack = "dev";
  const env: Record<string, string> = { BENCH_PROJECT: project.name, BENCH_STACK: stack };
  if (typescript === true) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (typeof tsconfig === "string") env.PULUMI_NODEJS_TSCONFIG_PATH = tsconfig;
  const runner = path.join(
    path.dirname(require.resolve("@pulumi/pulumi/package.json")),
    "cmd",
    "run",
  );
  const entry = main ?? project.main ?? ".";
  return {
    args: [
      ...nodeargs.split(/\s+/).filter(Boolean),
      "-r",
      preload,
      runner,
      "--monitor",
      "mock",
      "--project",
      project.name,
      "--stack",
      stack,
      "--pwd",
      ROOT,
      entry,
    ],
    env,
    describe: `main ${entry}, options ${JSON.stringify(options)}`,
  };
}

/**
 * This process's environment as the language host would pass it on, without what would change
 * how the runtime loads (ts-node's and Pulumi's own variables, NODE_OPTIONS).
 */
export function hostEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TS_NODE_|PULUMI_|NODE_OPTIONS$)/.test(k)),
  );
}

/** The environment the program starts with for this stack configuration, no secret keys. */
export function programEnv(runner: RunnerCommand, config: StackConfig): NodeJS.ProcessEnv {
  return {
    ...hostEnv(),
    ...runner.env,
    PULUMI_CONFIG: pulumiConfigEnv(config),
    PULUMI_CONFIG_SECRET_KEYS: "[]",
  };
}
