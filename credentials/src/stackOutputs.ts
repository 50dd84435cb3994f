/**
 * `env`: turns the Pulumi program's stack outputs (`pulumi stack output --json`) into the
 * environment variables the helper reads, for one identity (or caller app) and one role.
 */
import { ENV } from "./config";
import {
  DEFAULT_ENTRA_CLOUD,
  ENTRA_CLOUD_NAMES,
  isEntraCloudName,
  unsupportedCloudReason,
} from "./entraCloud";
import { EntraAwsCredentialsError } from "./errors";
import { sanitizeSessionName } from "./sessionName";
import {
  HIDDEN_SECRET,
  type CallerAppOutput,
  type FederationOutputs,
  type RoleOutput,
} from "./stackOutputContract";

/** A caller app as `env` reads it: its secret may be hidden ("[secret]") or left out. */
export type CallerAppView = Pick<CallerAppOutput, "clientId" | "servicePrincipalObjectId"> &
  Partial<Pick<CallerAppOutput, "clientSecret">>;

/**
 * A role as `env` reads it: the ARN names the role's account, so a role in any account of a
 * multi-account stack needs nothing more (stacks that predate it print no accountId).
 */
export type RoleView = Pick<RoleOutput, "arn" | "name" | "subjects">;

/** The outputs `env` reads: the program's contract, as older stacks and hidden secrets print it. */
export type StackOutputs = Pick<FederationOutputs, "tenantId" | "audience" | "identities"> & {
  readonly roles: Readonly<Record<string, RoleView>>;
  /** AzurePublic when the stack predates the output. */
  readonly cloud: FederationOutputs["cloud"];
  /** The whole output is "[secret]" without `--show-secrets`. */
  readonly callerApps: Readonly<Record<string, CallerAppView>> | typeof HIDDEN_SECRET;
};

const configError = (message: string): EntraAwsCredentialsError =>
  new EntraAwsCredentialsError({ source: "config", message });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A name looked up as an own property: "toString" is no role. */
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

function parseCloud(value: unknown): FederationOutputs["cloud"] {
  if (value === undefined) return DEFAULT_ENTRA_CLOUD;
  const supported = ENTRA_CLOUD_NAMES.filter((name) => unsupportedCloudReason(name) === undefined);
  if (!isEntraCloudName(value)) {
    throw configError(
      `The stack outputs' "cloud" is ${JSON.stringify(value)}, not an Entra cloud: expected ${supported.join(" or ")}.`,
    );
  }
  const unsupported = unsupportedCloudReason(value);
  if (unsupported !== undefined) {
    throw configError(`The stack outputs' "cloud" ${value} ${unsupported}.`);
  }
  return value;
}

/** Validates the parts of the outputs JSON that `env` needs; errors name the missing field. */
export function parseStackOutputs(text: string): StackOutputs {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw configError("The stack outputs are not JSON: use `pulumi stack output --json`.");
  }
  if (!isRecord(raw)) throw configError("The stack outputs must be a JSON object.");
  for (const field of ["tenantId", "audience"]) {
    if (typeof raw[field] !== "string" || raw[field] === "") {
      throw configError(`The stack outputs have no "${field}" string.`);
    }
  }
  if (!isRecord(raw.roles)) throw configError('The stack outputs have no "roles" object.');
  const identities = raw.identities === undefined ? {} : raw.identities;
  if (!isRecord(identities)) throw configError('"identities" must be an object.');
  const callerApps = raw.callerApps === undefined ? {} : raw.callerApps;
  if (callerApps !== HIDDEN_SECRET && !isRecord(callerApps)) {
    throw configError('"callerApps" must be an object (or "[secret]").');
  }
  return {
    ...raw,
    cloud: parseCloud(raw.cloud),
    identities,
    callerApps,
  } as unknown as StackOutputs;
}

export interface EnvSelection {
  identity: string;
  role: string;
  sessionName?: string;
}

export interface EnvResult {
  vars: Record<string, string>;
  /** Notes for stderr (never secrets), e.g. how to get a hidden client secret. */
  notes: string[];
}

const list = (names: string[]): string => (names.length ? names.join(", ") : "(none)");

export function envForIdentity(outputs: StackOutputs, sel: EnvSelection): EnvResult {
  const role = own(outputs.roles, sel.role);
  if (!role) {
    throw configError(
      `Unknown role "${sel.role}". Known roles: ${list(Object.keys(outputs.roles))}.`,
    );
  }
  const notes: string[] = [];
  const identity = own(outputs.identities, sel.identity);
  const callerApps = outputs.callerApps;
  const app = callerApps === HIDDEN_SECRET ? undefined : own(callerApps, sel.identity);
  let clientId: string;
  let subject: string;
  let secret: string | undefined;
  if (identity) {
    clientId = identity.clientId;
    subject = identity.principalId;
  } else if (app) {
    clientId = app.clientId;
    subject = app.servicePrincipalObjectId;
    if (app.clientSecret && app.clientSecret !== HIDDEN_SECRET) {
      secret = app.clientSecret;
    } else {
      notes.push(
        `AZURE_CLIENT_SECRET for caller app "${sel.identity}" is hidden in these outputs: run \`pulumi stack output --json --show-secrets\` and pass that file, or set AZURE_CLIENT_SECRET from your secret store.`,
      );
    }
  } else {
    const known = [
      ...Object.keys(outputs.identities).map((n) => `${n} (identity)`),
      ...(callerApps === HIDDEN_SECRET
        ? []
        : Object.keys(callerApps).map((n) => `${n} (caller app)`)),
    ];
    const hiddenHint =
      callerApps === HIDDEN_SECRET
        ? ' callerApps is "[secret]" in these outputs; for a caller app use `pulumi stack output --json --show-secrets`.'
        : "";
    throw configError(`Unknown identity "${sel.identity}". Known: ${list(known)}.${hiddenHint}`);
  }
  if (!Array.isArray(role.subjects) || !role.subjects.includes(subject)) {
    throw configError(
      `Role "${sel.role}" does not trust "${sel.identity}": its subjects do not contain ${subject}. Add the identity to the role in the Pulumi program (or pick a role that lists it). Roles that trust it: ${list(
        Object.entries(outputs.roles)
          .filter(([, r]) => Array.isArray(r.subjects) && r.subjects.includes(subject))
          .map(([n]) => n),
      )}.`,
    );
  }
  const vars: Record<string, string> = {
    [ENV.clientId]: clientId,
    [ENV.tenantId]: outputs.tenantId,
    [ENV.roleArn]: role.arn,
    // Only when asked for: the helper's default, entra-<clientId>@<host>, tells hosts apart in
    // CloudTrail, and a name printed here would be the same on every host.
    ...(sel.sessionName ? { [ENV.sessionName]: sanitizeSessionName(sel.sessionName) } : {}),
    [ENV.audience]: outputs.audience,
    // The helper's default needs no variable, and stacks that predate the output print none.
    ...(outputs.cloud === DEFAULT_ENTRA_CLOUD ? {} : { [ENV.cloud]: outputs.cloud }),
  };
  if (secret !== undefined) vars[ENV.clientSecret] = secret;
  return { vars, notes };
}

export type EnvFormat = "shell" | "dotenv" | "json";

const shellQuote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
const dotenvQuote = (v: string): string =>
  /^[\w@%+=:,./-]*$/.test(v)
    ? v
    : `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

export function formatEnv(vars: Record<string, string>, format: EnvFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(vars, null, 2)}\n`;
    case "dotenv":
      return Object.entries(vars)
        .map(([k, v]) => `${k}=${dotenvQuote(v)}\n`)
        .join("");
    case "shell":
      return Object.entries(vars)
        .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
        .join("");
  }
}
