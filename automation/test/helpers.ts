import * as automation from "@pulumi/pulumi/automation";
import type {
  DestroyOptions,
  OperationOptions,
  OperationResult,
  OutputMap,
  PreviewOptions,
  RefreshOptions,
  StackBackend,
  StackHandle,
} from "../stackBackend";

/** The SDK's internal (exported at runtime, not typed) error factory and result class. */
interface SdkInternals {
  createCommandError(result: unknown): Error;
  CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => unknown;
}
const sdk = automation as unknown as SdkInternals;

/**
 * An error exactly as the Automation API 3.270 raises it when the `pulumi` process exits non-zero:
 * execa rejects, and cmd.js wraps the rejection with `createCommandError(new CommandResult("",
 * message, -2, execaError))`, so the exit code lives on `commandResult.err.exitCode` and the
 * class (StackNotFoundError, ConcurrentUpdateError, ...) is chosen from the text.
 */
export function sdkError(opts: { exitCode: number; stderr: string; stdout?: string }): Error {
  const stdout = opts.stdout ?? "";
  const message = `Command failed with exit code ${opts.exitCode}: pulumi up --yes --skip-preview --stack dev --non-interactive\n${opts.stderr}\n${stdout}`;
  const execaError = Object.assign(new Error(message), {
    exitCode: opts.exitCode,
    stderr: opts.stderr,
    stdout,
  });
  return sdk.createCommandError(new sdk.CommandResult("", message, -2, execaError));
}

export function stackNotFound(name = "dev"): Error {
  return sdkError({ exitCode: 6, stderr: `error: no stack named '${name}' found` });
}

type Method = "preview" | "up" | "refresh" | "detectDrift" | "destroy";
type Behaviour = (opts: OperationOptions) => Promise<OperationResult>;

export interface Call {
  method: Method | "outputs" | "getConfigValue";
  opts?: OperationOptions | PreviewOptions | RefreshOptions | DestroyOptions;
  key?: string;
}

/** A fake stack: records calls, answers with configured behaviours. */
export class FakeStack implements StackHandle {
  readonly calls: Call[] = [];
  behaviours: Partial<Record<Method, Behaviour>> = {};
  config: Record<string, string> = {};
  outputsValue: OutputMap = {};
  outputsError?: Error;

  constructor(readonly name: string) {}

  private async run(method: Method, opts: OperationOptions): Promise<OperationResult> {
    this.calls.push({ method, opts });
    const behaviour = this.behaviours[method];
    return behaviour ? behaviour(opts) : { changes: { same: 3 } };
  }

  preview(opts: PreviewOptions) {
    return this.run("preview", opts);
  }
  up(opts: PreviewOptions) {
    return this.run("up", opts);
  }
  refresh(opts: RefreshOptions) {
    return this.run("refresh", opts);
  }
  detectDrift(opts: OperationOptions) {
    return this.run("detectDrift", opts);
  }
  destroy(opts: DestroyOptions) {
    return this.run("destroy", opts);
  }
  outputs(): Promise<OutputMap> {
    this.calls.push({ method: "outputs" });
    return this.outputsError
      ? Promise.reject(this.outputsError)
      : Promise.resolve(this.outputsValue);
  }
  getConfigValue(key: string): Promise<string | undefined> {
    this.calls.push({ method: "getConfigValue", key });
    return Promise.resolve(this.config[key]);
  }
}

export class FakeBackend implements StackBackend {
  readonly description = "file:///fake/.pulumi-state (fake)";
  readonly stacks = new Map<string, FakeStack>();
  readonly created: string[] = [];
  selectError?: Error;

  constructor(...existing: string[]) {
    for (const name of existing) this.stacks.set(name, new FakeStack(name));
  }

  stack(name = "dev"): FakeStack {
    const s = this.stacks.get(name);
    if (!s) throw new Error(`no fake stack ${name}`);
    return s;
  }

  selectStack(name: string): Promise<StackHandle> {
    if (this.selectError) return Promise.reject(this.selectError);
    const s = this.stacks.get(name);
    return s ? Promise.resolve(s) : Promise.reject(stackNotFound(name));
  }

  createStack(name: string): Promise<StackHandle> {
    const s = new FakeStack(name);
    this.stacks.set(name, s);
    this.created.push(name);
    return Promise.resolve(s);
  }
}

/** Collects what the driver writes. */
export class Captured {
  out = "";
  err = "";
  stdout = (text: string) => {
    this.out += text;
  };
  stderr = (text: string) => {
    this.err += text;
  };
  json(): Record<string, unknown> {
    return JSON.parse(this.out) as Record<string, unknown>;
  }
}
