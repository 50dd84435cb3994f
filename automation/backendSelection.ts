import * as path from "node:path";
import { ExitCode } from "./exitCodes";
import { DriverError } from "./errors";

/** The git-ignored folder (relative to the repository) that holds the embedded default state. */
export const EMBEDDED_STATE_DIR = ".pulumi-state";

export interface BackendInputs {
  env: Readonly<Record<string, string | undefined>>;
  repoRoot: string;
  /** `backend.url` from Pulumi.yaml, if any. */
  projectBackendUrl?: string;
  /** `current` from `$PULUMI_HOME/credentials.json` (set by `pulumi login`), if any. */
  loggedInUrl?: string;
  /**
   * The stack's secrets provider when known: `secretsprovider` in Pulumi.<stack>.yaml, or the
   * `--secrets-provider` of `--create`. Only a passphrase provider (or an unknown one) needs
   * PULUMI_CONFIG_PASSPHRASE(_FILE).
   */
  secretsProvider?: string;
  /** Injected for tests: whether a file exists and is readable. */
  fileReadable: (file: string) => boolean;
}

export type BackendChoice =
  | {
      kind: "configured";
      source:
        "PULUMI_BACKEND_URL" | "Pulumi.yaml backend.url" | "pulumi login" | "PULUMI_ACCESS_TOKEN";
      /** Shown in logs: query string and user info removed. */
      description: string;
      /** Nothing to add: the CLI finds the backend itself. */
      envVars: Record<string, string>;
    }
  | {
      kind: "embedded";
      stateDir: string;
      description: string;
      envVars: Record<string, string>;
    };

/** A backend URL safe for logs: no query string (may carry keys/SAS), no user info. */
export function describeBackendUrl(url: string): string {
  const noQuery = url.split("?")[0] ?? url;
  return noQuery.replace(/^([a-z0-9+.-]+:\/\/)[^/@]*@/i, "$1");
}

/** Whether a secrets provider URL is the passphrase provider (unset means passphrase on DIY backends). */
export function usesPassphrase(secretsProvider: string | undefined): boolean {
  const provider = secretsProvider?.trim();
  return !provider || provider === "passphrase" || provider.startsWith("passphrase:");
}

/**
 * Decides where the state lives, in the order the Pulumi CLI itself uses: PULUMI_BACKEND_URL,
 * then `backend.url` in Pulumi.yaml, then the current `pulumi login` (credentials.json), and only
 * without any of those Pulumi Cloud through PULUMI_ACCESS_TOKEN (the token authenticates; it does
 * not override an existing login to another backend). With none of them, the embedded default: a
 * file backend in `<repo>/.pulumi-state`; with passphrase secrets (the default) it requires
 * PULUMI_CONFIG_PASSPHRASE or a readable PULUMI_CONFIG_PASSPHRASE_FILE, with a KMS/Key Vault
 * provider (`secretsProvider`) it does not.
 */
export function chooseBackend(input: BackendInputs): BackendChoice {
  const { env } = input;
  const backendUrl = env.PULUMI_BACKEND_URL?.trim();
  if (backendUrl) {
    return {
      kind: "configured",
      source: "PULUMI_BACKEND_URL",
      description: `${describeBackendUrl(backendUrl)} (PULUMI_BACKEND_URL)`,
      envVars: {},
    };
  }
  const projectUrl = input.projectBackendUrl?.trim();
  if (projectUrl) {
    return {
      kind: "configured",
      source: "Pulumi.yaml backend.url",
      description: `${describeBackendUrl(projectUrl)} (backend.url in Pulumi.yaml)`,
      envVars: {},
    };
  }
  const loggedIn = input.loggedInUrl?.trim();
  if (loggedIn) {
    return {
      kind: "configured",
      source: "pulumi login",
      description: `${describeBackendUrl(loggedIn)} (pulumi login)`,
      envVars: {},
    };
  }
  if (env.PULUMI_ACCESS_TOKEN) {
    return {
      kind: "configured",
      source: "PULUMI_ACCESS_TOKEN",
      description: "Pulumi Cloud (PULUMI_ACCESS_TOKEN, no pulumi login)",
      envVars: {},
    };
  }

  const stateDir = path.join(input.repoRoot, EMBEDDED_STATE_DIR);
  // The CLI takes the path after file:// verbatim (no percent-decoding), so do not URL-encode it.
  const url = `file://${stateDir}`;
  if (!usesPassphrase(input.secretsProvider)) {
    const scheme = (input.secretsProvider ?? "").split(":")[0];
    return {
      kind: "embedded",
      stateDir,
      description: `${url} (embedded default, ${scheme} secrets)`,
      envVars: { PULUMI_BACKEND_URL: url },
    };
  }

  const passphraseFile = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (env.PULUMI_CONFIG_PASSPHRASE === undefined) {
    if (!passphraseFile) {
      throw new DriverError(
        "no backend is configured, so the embedded local backend (.pulumi-state) is used, and this stack keeps secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (or create the stack with --secrets-provider awskms://... / azurekeyvault://..., or configure a backend: PULUMI_BACKEND_URL=s3://... / azblob://..., or PULUMI_ACCESS_TOKEN)",
        ExitCode.InvalidConfig,
        "passphrase-missing",
      );
    }
    if (!input.fileReadable(passphraseFile)) {
      throw new DriverError(
        `PULUMI_CONFIG_PASSPHRASE_FILE points to '${passphraseFile}', which does not exist or cannot be read`,
        ExitCode.InvalidConfig,
        "passphrase-missing",
      );
    }
  }
  return {
    kind: "embedded",
    stateDir,
    description: `${url} (embedded default, passphrase secrets)`,
    envVars: { PULUMI_BACKEND_URL: url },
  };
}
