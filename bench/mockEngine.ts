/**
 * Preloaded (`node -r`) into the SDK's own program runner, `@pulumi/pulumi/cmd/run`, so the
 * program starts exactly as the Node.js language host starts it for `pulumi preview`/`up`, with
 * the SDK's mocks (tests/fakeClouds.ts) as the engine. The runner connects to no monitor once
 * `setMocks` has set the monitor address to "mock" (runtime/settings.js, getMonitor).
 */
import { writeSync } from "node:fs";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { sdkPromiseStacksUnmapped } from "../lib/promiseStacks";
import { FakeClouds } from "../tests/fakeClouds";

const project = process.env.BENCH_PROJECT;
const stack = process.env.BENCH_STACK;
if (!project || !stack) throw new Error("BENCH_PROJECT and BENCH_STACK must be set");

const clouds = new FakeClouds({ project, stack });
// install() sets the mocks synchronously; its promise only settles the recording monitor, a
// microtask that runs before the runner's first asynchronous step.
void clouds.install();

// The runner's last call before it exits; the CLI answers once every registration is in, and the
// SDK's MockMonitor does not implement it.
Object.assign(MockMonitor.prototype, {
  signalAndWaitForShutdown: (_req: unknown, done: (err: null, res: object) => void) =>
    done(null, {}),
});

// The parent reads this last line: how many resources the program registered (so a run that
// registered nothing shows), the process's CPU time, and whether the program's shortcut for the
// SDK's promise stacks was on (lib/promiseStacks.ts).
process.on("exit", () => {
  const { user, system } = process.cpuUsage();
  const report = {
    resources: clouds.resources.length,
    cpuMs: (user + system) / 1000,
    promiseStacksUnmapped: sdkPromiseStacksUnmapped(),
  };
  writeSync(1, `${JSON.stringify(report)}\n`);
});
