/** Runs the real `entra-aws-credentials` command in a child process (TypeScript via ts-node). */
import { execFile } from "node:child_process";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const BIN = path.join(REPO_ROOT, "credentials/bin/entra-aws-credentials.ts");
export const RECORD_MODULES = path.join(__dirname, "recordModules.ts");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { recordModulesTo?: string; input?: string } = {},
): Promise<RunResult> {
  const nodeArgs = ["-r", "ts-node/register"];
  if (options.recordModulesTo) nodeArgs.push("-r", RECORD_MODULES);
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...nodeArgs, BIN, ...args],
      {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH,
          ...env,
          ...(options.recordModulesTo ? { RECORD_MODULES_TO: options.recordModulesTo } : {}),
        },
        timeout: 15_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
