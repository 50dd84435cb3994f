/**
 * Runs the real `entra-aws-credentials` command in a child process: the JavaScript the mocha
 * global fixture built (tests/support/build.ts), started with plain `node`, never ts-node.
 *
 * Every child gets the metadata guard preloaded, AWS_EC2_METADATA_DISABLED=true, and the Azure VM
 * metadata endpoint (IMDS) redirected to a closed loopback port (see loopback.ts), so nothing a
 * test forgets to set reaches 169.254.169.254.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { builtPath } from "../../../tests/support/build";
import { safeEnv } from "./loopback";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const RECORD_MODULES = path.join(__dirname, "recordModules.js");
export const METADATA_GUARD = path.join(__dirname, "noMetadataAddress.js");

/** The built command (`node <bin> …`). */
export const bin = (): string => builtPath("credentials/bin/entra-aws-credentials.js");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { recordModulesTo?: string; input?: string } = {},
): Promise<RunResult> {
  const nodeArgs = ["-r", METADATA_GUARD];
  if (options.recordModulesTo) nodeArgs.push("-r", RECORD_MODULES);
  const childEnv = {
    PATH: process.env.PATH,
    ...(await safeEnv()),
    ...env,
    ...(options.recordModulesTo ? { RECORD_MODULES_TO: options.recordModulesTo } : {}),
  };
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...nodeArgs, bin(), ...args],
      // The timeout only ends a hung child (killed, reported as a failure); tests wait on exit.
      { cwd: REPO_ROOT, env: childEnv, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
