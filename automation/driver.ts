import type { CommandName, ParsedCommand, UsageError } from "./args";
import { classifyError, DriverError, type ErrorKind } from "./errors";
import { ExitCode, type ExitCodeValue } from "./exitCodes";
import { maskOutputs, Redactor } from "./masking";
import type {
  ChangeCounts,
  OperationOptions,
  OperationResult,
  OutputMap,
  PreviewOptions,
  StackBackend,
  StackHandle,
} from "./stackBackend";

/** The stack config key that makes the program protect (and retain) its identity resources. */
export const PROTECT_CONFIG_KEY = "entra-aws-federation:protect";

export interface DriverDeps {
  /** Opens the backend (the real one checks the Pulumi CLI and chooses the state backend). */
  openBackend: (opts: {
    stack: string;
    secretsProvider?: string;
    /** The driver's signal: every Pulumi CLI call the backend makes is interrupted by it. */
    signal: AbortSignal;
  }) => Promise<StackBackend>;
  /** Machine-readable output only. */
  stdout: (text: string) => void;
  /** Human progress and errors. */
  stderr: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Milliseconds, for the duration. */
  now: () => number;
  /** Values never to print (passphrase, tokens), in addition to secret outputs. */
  knownSecrets?: readonly string[];
}

export type RunResult = "succeeded" | "drift" | "failed" | "cancelled" | "refused";

/** The one JSON document `--json` prints (every command except `outputs`). */
export interface JsonSummary {
  /** null only for a usage error whose arguments named no (known) command or no stack. */
  command: CommandName | null;
  stack: string | null;
  result: RunResult;
  exitCode: ExitCodeValue;
  /** Resource change counts by operation, as the Pulumi engine reports them. */
  changes: ChangeCounts;
  /** Stack outputs after the command, secrets as "[secret]"; null when not available. */
  outputs: Record<string, unknown> | null;
  durationMs: number;
  backend: string | null;
  error?: { kind: ErrorKind; message: string };
}

/** The summary of a run refused before it started: the arguments were wrong. */
export function usageSummary(error: UsageError): JsonSummary {
  return {
    command: error.command ?? null,
    stack: error.stack ?? null,
    result: "refused",
    exitCode: error.exitCode,
    changes: {},
    outputs: null,
    durationMs: 0,
    backend: null,
    error: { kind: "usage", message: error.message },
  };
}

function describeChanges(changes: ChangeCounts): string {
  const parts = Object.entries(changes)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op} ${n}`);
  return parts.length > 0 ? parts.join(", ") : "no resource changes reported";
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === "true";
}

function resultFor(kind: ErrorKind): RunResult {
  switch (kind) {
    case "cancelled":
      return "cancelled";
    case "drift":
      return "drift";
    case "refused":
      return "refused";
    default:
      return "failed";
  }
}

/**
 * Runs one parsed command against the backend and returns the process exit code. Never throws:
 * every failure is classified (errors.ts) into an exit code and a one-line message.
 */
export async function runDriver(cmd: ParsedCommand, deps: DriverDeps): Promise<ExitCodeValue> {
  const started = deps.now();
  const redactor = new Redactor();
  for (const secret of deps.knownSecrets ?? []) redactor.add(secret);
  const log = (line: string) => deps.stderr(redactor.redact(`${line}\n`));
  const progress = (text: string) => deps.stderr(redactor.redact(text));

  let changes: ChangeCounts = {};
  let outputs: OutputMap | undefined;
  let backendDescription: string | null = null;
  let exitCode: ExitCodeValue = ExitCode.Ok;
  let result: RunResult = "succeeded";
  let error: JsonSummary["error"];
  let stack: StackHandle | undefined;

  const checkCancelled = () => {
    if (deps.signal.aborted) {
      throw new DriverError(
        "cancelled before the operation started",
        ExitCode.Cancelled,
        "cancelled",
      );
    }
  };
  const opOptions = (): OperationOptions => ({
    signal: deps.signal,
    onOutput: progress,
    onChanges: (c) => {
      changes = c;
    },
    ...(cmd.message !== undefined ? { message: cmd.message } : {}),
  });
  // preview and up take the same options: up applies what preview shows.
  const changeOptions = (): PreviewOptions => ({
    ...opOptions(),
    diff: cmd.diff,
    refresh: cmd.refresh,
    expectNoChanges: cmd.expectNoChanges,
    policyPacks: cmd.policyPacks,
  });

  try {
    if (cmd.command === "destroy" && cmd.confirm !== cmd.stack) {
      throw new DriverError(
        `destroy refused: pass --confirm ${cmd.stack} to confirm that stack '${cmd.stack}' should be destroyed`,
        ExitCode.InvalidConfig,
        "refused",
      );
    }
    checkCancelled();
    const backend = await deps.openBackend({
      stack: cmd.stack,
      signal: deps.signal,
      ...(cmd.create && cmd.secretsProvider ? { secretsProvider: cmd.secretsProvider } : {}),
    });
    backendDescription = backend.description;
    log(`deploy: backend ${backend.description}`);
    checkCancelled();
    stack = await selectStack(backend, cmd, log);
    if (cmd.command === "destroy") await checkDestroyAllowed(stack, cmd, log);
    // A signal that came while selecting the stack or reading its protect key: start no CLI.
    checkCancelled();

    let op: OperationResult | undefined;
    switch (cmd.command) {
      case "preview":
        log(`deploy: previewing stack '${cmd.stack}'`);
        op = await stack.preview(changeOptions());
        break;
      case "up":
        log(`deploy: updating stack '${cmd.stack}'`);
        if (cmd.expectNoChanges) {
          log(
            "deploy: note: up --expect-no-changes still applies any changes (up runs with --skip-preview) and exits 7 afterwards; guard with preview --expect-no-changes",
          );
        }
        op = await stack.up(changeOptions());
        break;
      case "refresh":
        log(`deploy: refreshing stack '${cmd.stack}'`);
        op = await stack.refresh({ ...opOptions(), expectNoChanges: cmd.expectNoChanges });
        break;
      case "drift":
        log(`deploy: checking stack '${cmd.stack}' for drift (preview-only refresh)`);
        op = await stack.detectDrift(opOptions());
        break;
      case "destroy":
        log(`deploy: destroying stack '${cmd.stack}'`);
        op = await stack.destroy({ ...opOptions(), excludeProtected: cmd.excludeProtected });
        break;
      case "outputs":
        outputs = await stack.outputs();
        break;
    }
    if (op) changes = op.changes;
    if (outputs === undefined) {
      try {
        outputs = await stack.outputs();
      } catch (err) {
        log(
          `deploy: warning: could not read the stack outputs: ${classifyError(err, { cancelled: deps.signal.aborted, stack: cmd.stack }).message}`,
        );
      }
    }
    if (outputs) redactor.addSecretOutputs(outputs);
  } catch (err) {
    const context = { stack: cmd.stack, drift: cmd.command === "drift" };
    let classified = classifyError(err, { ...context, cancelled: deps.signal.aborted });
    // The CLI's error text may quote a value the stack holds as a secret: learn them before
    // printing it. Not after a cancellation (it must not start another CLI run), nor for drift,
    // whose message is the driver's own.
    const quotesCli =
      !(err instanceof DriverError) &&
      classified.kind !== "cancelled" &&
      classified.kind !== "drift";
    if (stack && quotesCli && cmd.command !== "outputs") {
      const current = await stack.outputs().catch(() => undefined);
      if (current) redactor.addSecretOutputs(current);
      if (deps.signal.aborted) classified = classifyError(err, { ...context, cancelled: true });
    }
    exitCode = classified.exitCode;
    result = resultFor(classified.kind);
    error = { kind: classified.kind, message: redactor.redact(classified.message) };
    outputs = undefined;
  }

  const durationMs = Math.max(0, Math.round(deps.now() - started));

  if (cmd.command === "outputs") {
    if (error) {
      log(`deploy: error: ${error.message} (outputs of stack '${cmd.stack}': exit ${exitCode})`);
      return exitCode;
    }
    const shown = maskOutputs(outputs ?? {}, cmd.showSecrets);
    if (cmd.json) {
      deps.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    } else {
      for (const [name, value] of Object.entries(shown)) {
        deps.stdout(`${name}: ${typeof value === "string" ? value : JSON.stringify(value)}\n`);
      }
    }
    return exitCode;
  }

  const seconds = (durationMs / 1000).toFixed(1);
  if (error) {
    // The cause next to the exit code on one line; a configuration error's problem lines follow.
    const [first, ...more] = error.message.split("\n");
    log(
      [
        `deploy: error: ${first} (${cmd.command} on stack '${cmd.stack}': ${result}, exit ${exitCode})`,
        ...more,
      ].join("\n"),
    );
  } else {
    log(
      `deploy: ${cmd.command} on stack '${cmd.stack}' succeeded in ${seconds} s (${describeChanges(changes)})`,
    );
  }

  if (cmd.json) {
    const summary: JsonSummary = {
      command: cmd.command,
      stack: cmd.stack,
      result,
      exitCode,
      changes,
      outputs: outputs ? maskOutputs(outputs) : null,
      durationMs,
      backend: backendDescription,
      ...(error ? { error } : {}),
    };
    deps.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  }
  return exitCode;
}

async function selectStack(
  backend: StackBackend,
  cmd: ParsedCommand,
  log: (line: string) => void,
): Promise<StackHandle> {
  try {
    return await backend.selectStack(cmd.stack);
  } catch (err) {
    const notFound = err instanceof Error && err.name === "StackNotFoundError";
    if (!notFound || !cmd.create) throw err;
  }
  log(`deploy: stack '${cmd.stack}' does not exist; creating it (--create)`);
  return backend.createStack(cmd.stack);
}

/** Refuses to destroy a protected stack unless --exclude-protected says what to keep. */
async function checkDestroyAllowed(
  stack: StackHandle,
  cmd: ParsedCommand,
  log: (line: string) => void,
): Promise<void> {
  const protectedStack = isTrue(await stack.getConfigValue(PROTECT_CONFIG_KEY));
  if (protectedStack && !cmd.excludeProtected) {
    throw new DriverError(
      `destroy refused: stack '${cmd.stack}' sets ${PROTECT_CONFIG_KEY}=true, so its app registration, service principal, managed identities and OIDC provider are protected. Pulumi never deletes protected resources: a destroy would fail on them. ` +
        `Pass --exclude-protected to delete everything else and keep them (in the cloud and in the state). ` +
        `To delete them too: \`pulumi config set ${PROTECT_CONFIG_KEY} false --stack ${cmd.stack}\`, run \`up\` (drops protect and retainOnDelete), then destroy`,
      ExitCode.InvalidConfig,
      "refused",
    );
  }
  if (protectedStack) {
    log(
      `deploy: stack '${cmd.stack}' is protected: --exclude-protected keeps the protected resources (app registration, service principal, identities, OIDC provider) in the cloud and in the state; everything else is destroyed`,
    );
  }
}
