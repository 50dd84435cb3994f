/**
 * The small interface the driver needs from Pulumi. The real implementation
 * (pulumiWorkspace.ts) wraps the Automation API's LocalWorkspace and Stack; the tests use a fake.
 * Errors are thrown as the Automation API throws them (CommandError, StackNotFoundError,
 * ConcurrentUpdateError, ...) and classified by errors.ts.
 */

/**
 * One stack output, in clear text and as the Pulumi CLI masks it. `masked` is what
 * `pulumi stack output --json` prints: "[secret]" for a secret output, and also for every secret
 * nested inside a non-secret one (a map whose one field is secret), which a top-level secret flag
 * would miss.
 */
export interface OutputValue {
  /** The value, secrets in clear text (`pulumi stack output --json --show-secrets`). */
  value: unknown;
  /** The value with every secret, at any depth, replaced by "[secret]". */
  masked: unknown;
}
export type OutputMap = Record<string, OutputValue>;

/** Resource change counts by operation (`create`, `update`, `delete`, `same`, ...). */
export type ChangeCounts = Record<string, number>;

export interface OperationOptions {
  /** Aborted on SIGINT/SIGTERM: the adapter interrupts the Pulumi CLI so it cancels cleanly. */
  signal: AbortSignal;
  /** Human-readable progress text from the Pulumi CLI (already secret-masked by the CLI). */
  onOutput: (text: string) => void;
  /** Called with the engine's change summary when it arrives, even if the command then fails. */
  onChanges?: (changes: ChangeCounts) => void;
  message?: string;
}

export interface PreviewOptions extends OperationOptions {
  diff: boolean;
  refresh: boolean;
  expectNoChanges: boolean;
  policyPacks: readonly string[];
}

export type UpOptions = PreviewOptions;

export interface RefreshOptions extends OperationOptions {
  expectNoChanges: boolean;
}

export interface DestroyOptions extends OperationOptions {
  excludeProtected: boolean;
}

export interface OperationResult {
  changes: ChangeCounts;
}

export interface StackHandle {
  preview(opts: PreviewOptions): Promise<OperationResult>;
  up(opts: UpOptions): Promise<OperationResult>;
  refresh(opts: RefreshOptions): Promise<OperationResult>;
  /** A preview-only refresh that fails (exit 7 on the CLI) when the state differs from reality. */
  detectDrift(opts: OperationOptions): Promise<OperationResult>;
  destroy(opts: DestroyOptions): Promise<OperationResult>;
  outputs(): Promise<OutputMap>;
  /** A stack configuration value (`undefined` when not set). Values are never logged. */
  getConfigValue(key: string): Promise<string | undefined>;
}

export interface StackBackend {
  /** Where the state lives, for the log (query strings removed, never credentials). */
  readonly description: string;
  /** Throws the Automation API's StackNotFoundError when the stack does not exist. */
  selectStack(name: string): Promise<StackHandle>;
  /** Creates the stack; its secrets provider is the one the backend was opened with. */
  createStack(name: string): Promise<StackHandle>;
}
