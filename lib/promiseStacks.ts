/**
 * The Pulumi SDK stamps every promise it makes with `new Error().stack`
 * (@pulumi/pulumi runtime/debuggable.js, debuggablePromise), which it prints only with
 * PULUMI_DEBUG_PROMISE_LEAKS set, in a report of promises still pending at exit. Its runner
 * installs source-map-support (cmd/run/index.js), whose Error.prepareStackTrace rewrites every
 * frame of every one of those stacks: a third of the CPU the program takes at 200 identities
 * (README "Performance"). Unless that report is asked for, this formats those stacks as V8 does,
 * unmapped, and leaves every other stack, a thrown error's included, to the mapping.
 */
const DEBUGGABLE = require.resolve("@pulumi/pulumi/runtime/debuggable");

/** A V8 call site prints itself as V8's own stack traces show it. */
type CallSite = NodeJS.CallSite & { toString(): string };

/** V8's own format: the error's toString(), then one `    at <frame>` line per call site. */
const v8Format = (error: Error, frames: readonly CallSite[]): string =>
  [String(error), ...frames.map((frame) => `    at ${frame.toString()}`)].join("\n");

/** Whether the current Error.prepareStackTrace is the shortcut. */
export function sdkPromiseStacksUnmapped(): boolean {
  const prepare: unknown = Reflect.get(Error, "prepareStackTrace");
  return typeof prepare === "function" && "sdkPromiseStacksUnmapped" in prepare;
}

/**
 * Installs the shortcut over the current Error.prepareStackTrace; a no-op without one, once it is
 * installed, or when PULUMI_DEBUG_PROMISE_LEAKS asks for the report, which should then show
 * TypeScript lines.
 */
export function leaveSdkPromiseStacksUnmapped(
  env: Readonly<Record<string, string | undefined>> = process.env,
): void {
  if (env.PULUMI_DEBUG_PROMISE_LEAKS || sdkPromiseStacksUnmapped()) return;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- V8 calls it with Error as this
  const mapped = Error.prepareStackTrace;
  if (mapped === undefined) return;
  const prepare = (error: Error, frames: NodeJS.CallSite[]): unknown =>
    frames[0]?.getFileName() === DEBUGGABLE
      ? v8Format(error, frames)
      : mapped.call(Error, error, frames);
  Error.prepareStackTrace = Object.assign(prepare, { sdkPromiseStacksUnmapped: true as const });
}
