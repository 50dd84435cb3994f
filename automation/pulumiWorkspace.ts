import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  LocalWorkspace,
  PulumiCommand,
  Stack,
  type EngineEvent,
  type OpMap,
} from "@pulumi/pulumi/automation";
import { chooseBackend } from "./backendSelection";
import { CliMissingError, isCliNotFound, summarizeCliError } from "./errors";
import { SECRET_MASK } from "./masking";
import type {
  ChangeCounts,
  DestroyOptions,
  OperationOptions,
  OperationResult,
  OutputMap,
  PreviewOptions,
  RefreshOptions,
  StackBackend,
  StackHandle,
  UpOptions,
} from "./stackBackend";

export interface PulumiBackendOptions {
  /** The repository root: the Pulumi project (Pulumi.yaml) the CLI runs, as `pulumi up` would. */
  repoRoot: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The stack the command runs on (its Pulumi.<stack>.yaml names its secrets provider). */
  stack: string;
  /** The secrets provider of a stack created by `--create` (the only way to pass it). */
  secretsProvider?: string;
  /** Aborted on SIGINT/SIGTERM: interrupts whichever Pulumi CLI call is running. */
  signal: AbortSignal;
}

/**
 * The stack's secrets provider as far as a cheap local read tells: `secretsprovider` from
 * Pulumi.<stack>.yaml ("passphrase" when the file has only an `encryptionsalt`), else the
 * `--create` provider; `undefined` when unknown (then a passphrase is assumed).
 */
async function knownSecretsProvider(
  workspace: LocalWorkspace,
  opts: PulumiBackendOptions,
): Promise<string | undefined> {
  const settings = await workspace.stackSettings(opts.stack).catch(() => undefined);
  if (settings?.secretsProvider) return settings.secretsProvider;
  if (settings?.encryptionSalt) return "passphrase";
  return opts.secretsProvider;
}

/**
 * PulumiCommand.run, which LocalWorkspace and Stack use for every CLI call (`@internal` in the
 * SDK's typings, present at runtime; the adapter tests run it against the stand-in CLI).
 */
interface CliRunner {
  run(
    args: string[],
    cwd: string,
    env: Record<string, string>,
    onOutput?: (text: string) => void,
    onError?: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<{ stdout: string }>;
}

/**
 * The CLI with the driver's signal on every call. The SDK passes a signal only to the operations
 * (up, preview, ...); `stack select`, `config get` and `stack output` would otherwise run to
 * their end after a SIGTERM (a backend or KMS that does not answer: indefinitely). LocalWorkspace
 * reads only `run` and `version` of the command it is given.
 */
function interruptible(cli: PulumiCommand, signal: AbortSignal): PulumiCommand {
  const runner = cli as unknown as CliRunner;
  const relayed = relayLateAbort(signal);
  const wrapped: CliRunner & Pick<PulumiCommand, "command" | "version"> = {
    command: cli.command,
    version: cli.version,
    run: (args, cwd, env, onOutput, onError, own) =>
      runner.run(args, cwd, env, onOutput, onError, own ?? relayed),
  };
  return wrapped;
}

/** Rejects with an AbortError as soon as `signal` aborts (or at once if it has). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      const abort = () => reject(new DOMException("cancelled", "AbortError"));
      if (signal.aborted) abort();
      else signal.addEventListener("abort", abort, { once: true });
    }),
  ]);
}

function toCounts(map: OpMap | undefined): ChangeCounts {
  const counts: ChangeCounts = {};
  for (const [op, n] of Object.entries(map ?? {})) {
    if (typeof n === "number") counts[op] = n;
  }
  return counts;
}

function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `current` from `$PULUMI_HOME/credentials.json`, i.e. the backend of a `pulumi login`. */
function loggedInUrl(env: PulumiBackendOptions["env"]): string | undefined {
  const home = env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
  try {
    const parsed: unknown = JSON.parse(
      fs.readFileSync(path.join(home, "credentials.json"), "utf8"),
    );
    const current = (parsed as { current?: unknown }).current;
    return typeof current === "string" && current.length > 0 ? current : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds the Pulumi CLI on PATH; a missing or unusable CLI becomes one clear CliMissingError.
 * PulumiCommand.get takes no signal: on an abort the driver stops waiting for its `pulumi version`,
 * and the entry point (cli.ts) stops a child still running when the driver is done.
 */
async function findCli(opts: PulumiBackendOptions): Promise<PulumiCommand> {
  try {
    return await abortable(
      PulumiCommand.get({
        skipVersionCheck: Boolean(opts.env.PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK),
      }),
      opts.signal,
    );
  } catch (err) {
    if (opts.signal.aborted) throw err;
    if (isCliNotFound(err)) throw new CliMissingError();
    throw new CliMissingError(summarizeCliError(err));
  }
}

/**
 * The real backend: a LocalWorkspace whose work dir is the repository, so the Automation API runs
 * the same program `pulumi up` would (no inline copy of the program).
 */
export async function openPulumiBackend(opts: PulumiBackendOptions): Promise<StackBackend> {
  const pulumiCommand = interruptible(await findCli(opts), opts.signal);
  const workspace = await LocalWorkspace.create({
    workDir: opts.repoRoot,
    pulumiCommand,
    envVars: { PULUMI_SKIP_UPDATE_CHECK: "true" },
    ...(opts.secretsProvider ? { secretsProvider: opts.secretsProvider } : {}),
  });
  const projectBackendUrl = await workspace
    .projectSettings()
    .then((s) => s.backend?.url)
    .catch(() => undefined);
  const loggedIn = loggedInUrl(opts.env);
  const secretsProvider = await knownSecretsProvider(workspace, opts);
  const choice = chooseBackend({
    ...(secretsProvider ? { secretsProvider } : {}),
    env: opts.env,
    repoRoot: opts.repoRoot,
    ...(projectBackendUrl ? { projectBackendUrl } : {}),
    ...(loggedIn ? { loggedInUrl: loggedIn } : {}),
    fileReadable: readable,
  });
  if (choice.kind === "embedded") {
    fs.mkdirSync(choice.stateDir, { recursive: true });
  }
  Object.assign(workspace.envVars, choice.envVars);
  return new PulumiStackBackend(workspace, choice.description);
}

class PulumiStackBackend implements StackBackend {
  constructor(
    private readonly workspace: LocalWorkspace,
    readonly description: string,
  ) {}

  async selectStack(name: string): Promise<StackHandle> {
    return new PulumiStackHandle(await Stack.select(name, this.workspace), this.workspace);
  }

  async createStack(name: string): Promise<StackHandle> {
    return new PulumiStackHandle(await Stack.create(name, this.workspace), this.workspace);
  }
}

/**
 * The SDK subscribes to "abort" only once it has spawned the CLI, so an abort during its setup
 * would never reach the CLI, which would then run to the end. This view of the signal also calls a
 * listener that subscribes after the abort (at once, as a microtask).
 */
export function relayLateAbort(signal: AbortSignal): AbortSignal {
  return new Proxy(signal, {
    get(target, prop) {
      if (prop === "addEventListener") {
        return (...[type, listener, options]: Parameters<AbortSignal["addEventListener"]>) => {
          if (type !== "abort" || !target.aborted) {
            target.addEventListener(type, listener, options);
            return;
          }
          const event = new Event("abort");
          queueMicrotask(() => {
            if (typeof listener === "function") listener.call(target, event);
            else listener?.handleEvent(event);
          });
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

class PulumiStackHandle implements StackHandle {
  constructor(
    private readonly stack: Stack,
    private readonly workspace: LocalWorkspace,
  ) {}

  /** Options every operation shares: progress to stderr, engine summary, cancellation. */
  private common(opts: OperationOptions) {
    return {
      signal: relayLateAbort(opts.signal),
      onOutput: opts.onOutput,
      onError: opts.onOutput,
      onEvent: (event: EngineEvent) => {
        if (event.summaryEvent && opts.onChanges) {
          opts.onChanges(toCounts(event.summaryEvent.resourceChanges));
        }
      },
      ...(opts.message !== undefined ? { message: opts.message } : {}),
    };
  }

  async preview(opts: PreviewOptions): Promise<OperationResult> {
    const result = await this.stack.preview({
      ...this.common(opts),
      diff: opts.diff,
      refresh: opts.refresh,
      expectNoChanges: opts.expectNoChanges,
      policyPacks: [...opts.policyPacks],
    });
    return { changes: toCounts(result.changeSummary) };
  }

  async up(opts: UpOptions): Promise<OperationResult> {
    const result = await this.stack.up({
      ...this.common(opts),
      diff: opts.diff,
      refresh: opts.refresh,
      expectNoChanges: opts.expectNoChanges,
      policyPacks: [...opts.policyPacks],
    });
    // result.outputs only carries a top-level secret flag: the driver reads the outputs as the CLI
    // masks them afterwards (outputs()).
    return { changes: toCounts(result.summary?.resourceChanges) };
  }

  async refresh(opts: RefreshOptions): Promise<OperationResult> {
    const result = await this.stack.refresh({
      ...this.common(opts),
      expectNoChanges: opts.expectNoChanges,
    });
    return { changes: toCounts(result.summary?.resourceChanges) };
  }

  /** `pulumi refresh --preview-only --expect-no-changes`: reads the real resources, writes nothing. */
  async detectDrift(opts: OperationOptions): Promise<OperationResult> {
    const result = await this.stack.previewRefresh({
      ...this.common(opts),
      expectNoChanges: true,
    });
    return { changes: toCounts(result.changeSummary) };
  }

  async destroy(opts: DestroyOptions): Promise<OperationResult> {
    const result = await this.stack.destroy({
      ...this.common(opts),
      ...(opts.excludeProtected ? { excludeProtected: true } : {}),
    });
    return { changes: toCounts(result.summary?.resourceChanges) };
  }

  /** Runs `pulumi <args> --stack <stack>` the way the workspace runs the CLI; parses its JSON. */
  private async cliJson(args: string[]): Promise<Record<string, unknown>> {
    const env: Record<string, string> = {
      ...(this.workspace.pulumiHome ? { PULUMI_HOME: this.workspace.pulumiHome } : {}),
      ...this.workspace.envVars,
    };
    const result = await (this.workspace.pulumiCommand as unknown as CliRunner).run(
      [...args, "--stack", this.stack.name],
      this.workspace.workDir,
      env,
    );
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  /**
   * The outputs twice, as the SDK's stackOutputs() reads them: masked by the CLI
   * (`stack output --json`, every secret at any depth is "[secret]") and in clear text
   * (`--show-secrets`). The SDK keeps only a top-level secret flag; this keeps the masked form.
   */
  async outputs(): Promise<OutputMap> {
    const masked = await this.cliJson(["stack", "output", "--json"]);
    const clear = await this.cliJson(["stack", "output", "--json", "--show-secrets"]);
    const outputs: OutputMap = {};
    for (const [name, value] of Object.entries(clear)) {
      // An output the masked listing lacks is treated as secret.
      outputs[name] = { value, masked: name in masked ? masked[name] : SECRET_MASK };
    }
    return outputs;
  }

  /**
   * One config value (`pulumi config get <key> --json`), so no other secret is decrypted;
   * `undefined` when the stack does not set it.
   */
  async getConfigValue(key: string): Promise<string | undefined> {
    try {
      const value = await this.stack.getConfig(key);
      return value.value;
    } catch (err) {
      if (/configuration key '[^']*' not found/i.test(summarizeCliError(err))) return undefined;
      throw err;
    }
  }
}
