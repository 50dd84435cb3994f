import * as path from "node:path";
import { parseArgs } from "node:util";
import { ExitCode, exitCodeTable, type ExitCodeValue } from "./exitCodes";

export const commandNames = ["preview", "up", "refresh", "drift", "outputs", "destroy"] as const;
export type CommandName = (typeof commandNames)[number];

/** A fully parsed and validated invocation. Pure data: nothing here has touched a backend. */
export interface ParsedCommand {
  kind: "run";
  command: CommandName;
  stack: string;
  json: boolean;
  create: boolean;
  secretsProvider?: string;
  diff: boolean;
  refresh: boolean;
  expectNoChanges: boolean;
  /** Absolute paths (relative ones are resolved against the caller's working directory). */
  policyPacks: string[];
  message?: string;
  showSecrets: boolean;
  confirm?: string;
  excludeProtected: boolean;
}

export interface HelpRequest {
  kind: "help";
}

export interface UsageError {
  kind: "usage-error";
  message: string;
  exitCode: ExitCodeValue;
  /** Whether `--json` was among the arguments (so the caller can still print a JSON summary). */
  json: boolean;
  command?: CommandName;
  stack?: string;
}

export type ParseResult = ParsedCommand | HelpRequest | UsageError;

type OptionName =
  | "stack"
  | "json"
  | "create"
  | "secrets-provider"
  | "diff"
  | "refresh"
  | "expect-no-changes"
  | "policy-pack"
  | "message"
  | "show-secrets"
  | "confirm"
  | "exclude-protected";

/** Which options each command accepts besides `--stack`, `--json` and `--help`. */
const changeCommandOptions: readonly OptionName[] = [
  "create",
  "secrets-provider",
  "diff",
  "refresh",
  "expect-no-changes",
  "policy-pack",
  "message",
];
const allowed: Record<CommandName, readonly OptionName[]> = {
  preview: changeCommandOptions,
  up: changeCommandOptions,
  refresh: ["expect-no-changes", "message"],
  drift: ["message"],
  outputs: ["show-secrets"],
  destroy: ["confirm", "exclude-protected", "message"],
};

const options = {
  stack: { type: "string", short: "s" },
  json: { type: "boolean" },
  create: { type: "boolean" },
  "secrets-provider": { type: "string" },
  diff: { type: "boolean" },
  refresh: { type: "boolean" },
  "expect-no-changes": { type: "boolean" },
  "policy-pack": { type: "string", multiple: true },
  message: { type: "string", short: "m" },
  "show-secrets": { type: "boolean" },
  confirm: { type: "string" },
  "exclude-protected": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Pulumi stack names: `name`, `org/name` or `org/project/name`, each part `[A-Za-z0-9_.-]+`.
 * A part may not be `.` or `..` (DIY backends turn the name into a path under the state
 * directory) nor start with `-` (the CLI would read it as a flag).
 */
function isStackName(name: string): boolean {
  const parts = name.split("/");
  return (
    parts.length <= 3 &&
    parts.every((p) => /^[A-Za-z0-9_.-]+$/.test(p) && p !== "." && p !== ".." && !p.startsWith("-"))
  );
}

function isCommand(value: string): value is CommandName {
  return (commandNames as readonly string[]).includes(value);
}

/** Node's parseArgs messages are long; keep the first sentence. */
function shortParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split(/(?<=\.)\s/)[0] ?? message;
  return first.endsWith(".") ? first : `${first}.`;
}

/**
 * Parses `argv` (without `node` and the script). `env` supplies `PULUMI_STACK`; `cwd` resolves
 * relative `--policy-pack` paths. Never throws; never reads files or the network.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): ParseResult {
  const json = argv.includes("--json");
  const usage = (
    message: string,
    extra: Partial<Pick<UsageError, "command" | "stack" | "exitCode">> = {},
  ): UsageError => ({
    kind: "usage-error",
    message,
    exitCode: extra.exitCode ?? ExitCode.InvalidConfig,
    json,
    ...(extra.command ? { command: extra.command } : {}),
    ...(extra.stack ? { stack: extra.stack } : {}),
  });

  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    // Still name the command when one was given, so `outputs --json` keeps stdout empty.
    const guess = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false });
    const word = guess.positionals[0];
    return usage(`${shortParseError(err)} Run with --help for usage.`, {
      ...(word !== undefined && isCommand(word) ? { command: word } : {}),
    });
  }
  const { values, positionals } = parsed;

  if (values.help || positionals[0] === "help") {
    return { kind: "help" };
  }
  if (positionals.length === 0) {
    return usage(`No command given. Commands: ${commandNames.join(", ")}. Run with --help.`);
  }
  const [name, ...rest] = positionals;
  if (name === undefined || !isCommand(name)) {
    return usage(`Unknown command '${name}'. Commands: ${commandNames.join(", ")}.`);
  }
  const command = name;
  if (rest.length > 0) {
    return usage(`Unexpected argument '${rest.join(" ")}' after '${command}'.`, { command });
  }

  for (const option of Object.keys(values) as (keyof typeof values)[]) {
    if (option === "stack" || option === "json" || option === "help") continue;
    if (values[option] === undefined) continue;
    if (!allowed[command].includes(option)) {
      return usage(`Option --${option} does not apply to '${command}'.`, { command });
    }
  }

  const stackValue = values.stack ?? env.PULUMI_STACK;
  const stack = stackValue?.trim();
  if (!stack) {
    return usage("No stack named: pass --stack <name> or set PULUMI_STACK.", {
      command,
      exitCode: ExitCode.StackNotFound,
    });
  }
  if (!isStackName(stack)) {
    return usage(
      `Invalid stack name '${stack}' (--stack or PULUMI_STACK): use 'name', 'org/name' or 'org/project/name', each part of letters, digits, '_', '.', '-', not starting with '-' and not '.' or '..'.`,
      { command },
    );
  }

  if (values["secrets-provider"] !== undefined && !values.create) {
    return usage("--secrets-provider only applies together with --create.", { command, stack });
  }
  const policyPacks = (values["policy-pack"] ?? []).map((p) => p.trim());
  if (policyPacks.some((p) => p === "")) {
    return usage("--policy-pack needs a directory.", { command, stack });
  }
  if (values.confirm !== undefined && values.confirm.trim() === "") {
    return usage("--confirm needs the stack name.", { command, stack });
  }

  return {
    kind: "run",
    command,
    stack,
    json: values.json ?? false,
    create: values.create ?? false,
    ...(values["secrets-provider"] !== undefined
      ? { secretsProvider: values["secrets-provider"] }
      : {}),
    diff: values.diff ?? false,
    refresh: values.refresh ?? false,
    expectNoChanges: values["expect-no-changes"] ?? false,
    policyPacks: policyPacks.map((p) => path.resolve(cwd, p)),
    ...(values.message !== undefined ? { message: values.message } : {}),
    showSecrets: values["show-secrets"] ?? false,
    ...(values.confirm !== undefined ? { confirm: values.confirm } : {}),
    excludeProtected: values["exclude-protected"] ?? false,
  };
}

export function helpText(): string {
  const codes = exitCodeTable.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`);
  return [
    "Pipeline driver for the entra-aws-federation Pulumi program (Pulumi Automation API).",
    "",
    "Usage: npm run deploy -- <command> --stack <name> [options]",
    "",
    "Commands:",
    "  preview   Show what `up` would change. Options: --diff, --refresh, --policy-pack <dir>,",
    "            --expect-no-changes, --create, --message <text>",
    "  up        Apply the program non-interactively. Options: as for preview",
    "  refresh   Update the state from the real infrastructure. Options: --expect-no-changes",
    "  drift     Preview-only refresh that expects no changes; exit 7 when the real",
    "            infrastructure differs from the state. Never writes the state. A caller app",
    "            secret whose rotation is due also shows as drift (exit 7): run `up` to rotate it",
    '  outputs   Print the stack outputs (secrets shown as "[secret]" unless --show-secrets)',
    "  destroy   Delete the stack's resources. Requires --confirm <stack name>. Refuses a stack whose",
    "            config sets entra-aws-federation:protect=true unless --exclude-protected is given:",
    "            protected resources (app registration, service principal, identities, OIDC",
    "            provider) then stay in the cloud and in the state; everything else is deleted",
    "",
    "Options:",
    "  -s, --stack <name>        Stack to operate on (default: $PULUMI_STACK)",
    "      --create              Create the stack if it does not exist (preview, up)",
    "      --secrets-provider <url>  Secrets provider for a stack created by --create",
    "                            (default: passphrase on DIY backends), e.g. awskms://alias/x,",
    "                            azurekeyvault://vault.vault.azure.net/keys/key",
    "      --diff                Show a detailed diff (preview, up)",
    "      --refresh             Refresh the state before the preview/update (preview, up)",
    "      --policy-pack <dir>   Run a local policy pack; repeatable (preview, up)",
    "      --expect-no-changes   Exit 7 if any change is proposed/made (preview, up, refresh).",
    "                            up applies the changes first (it runs with --skip-preview),",
    "                            then exits 7: it is no guard. Guard with preview --expect-no-changes",
    "  -m, --message <text>      Message stored with the update (e.g. the commit SHA)",
    "      --confirm <stack>     destroy: repeat the stack name to confirm",
    "      --exclude-protected   destroy: allow a protected stack; protected resources are kept",
    "      --show-secrets        outputs: print secret values in clear text",
    "      --json                One machine-readable JSON document on stdout (outputs: the",
    "                            output map, as `pulumi stack output --json`); progress on stderr",
    "  -h, --help                Show this help",
    "",
    "Backend and secrets:",
    "  Uses the backend the Pulumi CLI would: PULUMI_BACKEND_URL, else backend.url in Pulumi.yaml,",
    "  else the current `pulumi login` (any backend), else Pulumi Cloud if PULUMI_ACCESS_TOKEN is",
    "  set. With none, state goes to <repo>/.pulumi-state (git-ignored); a passphrase stack there",
    "  needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE, a stack created with",
    "  --secrets-provider awskms://... or azurekeyvault://... (see Pulumi.<stack>.yaml) does not.",
    "  Needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/), at least the version",
    '  docs/pipelines.md names under "Exit codes" for the exit codes below.',
    "",
    "Cancellation:",
    "  The first SIGINT/SIGTERM cancels the operation (the Pulumi CLI finishes the resource",
    "  operations in flight), then exit 8. A repeat within 2 s is ignored (Ctrl-C reaches npm and",
    "  the driver); a later signal stops the Pulumi CLI at once (the stack may stay locked).",
    "",
    "Exit codes:",
    ...codes,
    "",
    "See docs/pipelines.md for CI examples (GitHub Actions, Azure DevOps).",
    "",
  ].join("\n");
}
