/**
 * What the commands share: their input and output, the common options and their parsing, and
 * the lazy loading that keeps the SDKs off the credential_process cache-hit path.
 */
import * as fs from "node:fs";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { resolveSettings, type ResolvedSettings } from "../config";
import { usageError } from "./usage";

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => string;
  env: NodeJS.ProcessEnv;
  now: () => number;
}

export const defaultIo = (): Io => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: () => fs.readFileSync(0, "utf8"),
  env: process.env,
  now: Date.now,
});

type Provider = typeof import("../provider");
type TokenFile = typeof import("../tokenFile");
/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: keep SDKs off the cache-hit path */
export const loadProvider = (): Provider => require("../provider") as Provider;
export const loadTokenFile = (): TokenFile => require("../tokenFile") as TokenFile;
/* eslint-enable @typescript-eslint/no-require-imports */

export const COMMON = {
  "role-arn": { type: "string" },
  audience: { type: "string" },
  "client-id": { type: "string" },
  "tenant-id": { type: "string" },
  cloud: { type: "string" },
  "session-name": { type: "string" },
  "duration-seconds": { type: "string" },
  region: { type: "string" },
  "sts-endpoint": { type: "string" },
  "refresh-before-expiry": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`--${name} must be a whole number, got "${value}".`);
  return Number(value);
}

export interface CommonValues {
  "role-arn"?: string;
  audience?: string;
  "client-id"?: string;
  "tenant-id"?: string;
  cloud?: string;
  "session-name"?: string;
  "duration-seconds"?: string;
  region?: string;
  "sts-endpoint"?: string;
}

/** The settings, resolved once per command from its options and the environment. */
export function settingsFrom(values: CommonValues, env: NodeJS.ProcessEnv): ResolvedSettings {
  return resolveSettings(
    {
      roleArn: values["role-arn"],
      audience: values.audience,
      clientId: values["client-id"],
      tenantId: values["tenant-id"],
      cloud: values.cloud,
      sessionName: values["session-name"],
      durationSeconds: intOption(values["duration-seconds"], "duration-seconds"),
      region: values.region,
      stsEndpoint: values["sts-endpoint"],
    },
    env,
  );
}

export function parse<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: false as const, strict: true as const });
  } catch (error) {
    throw usageError((error as Error).message);
  }
}
