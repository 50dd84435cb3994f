import * as assert from "node:assert/strict";
import { inspect, stripVTControlCharacters } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { withOwnFrames } from "../lib/errors";

/** A stack as Pulumi's runner shows it under its source maps: SDK frames map to `node_modules/@pulumi/<file>.ts`. */
const RUNNER_STACK = [
  "Error: Invalid configuration:",
  "  entra-aws-federation:trustPolicyMaxLength: must be an integer from 2048 to 4096 (got 99999)",
  "    at asRunError (/work/main/index.ts:12:43)",
  "    at module.exports (/work/main/index.ts:18:18)",
  "    at Object.runProgram [as init] (/work/main/node_modules/@pulumi/cmd/run/run.ts:577:70)",
  "    at async Stack.initialize (/work/main/node_modules/@pulumi/runtime/stack.ts:79:28)",
  "    at async Stack.initializeAndRegisterOutputs (/work/main/node_modules/@pulumi/resource.ts:1687:22)",
  "    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)",
].join("\n");

describe("program errors keep only their own frames", () => {
  it("drops every frame under node_modules and keeps the message, the program's and Node's frames", () => {
    const err = new pulumi.RunError("x");
    err.stack = RUNNER_STACK;
    assert.equal(withOwnFrames(err), err);
    assert.equal(
      err.stack,
      [
        "Error: Invalid configuration:",
        "  entra-aws-federation:trustPolicyMaxLength: must be an integer from 2048 to 4096 (got 99999)",
        "    at asRunError (/work/main/index.ts:12:43)",
        "    at module.exports (/work/main/index.ts:18:18)",
        "    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)",
      ].join("\n"),
    );
  });

  it("formats with colors as Pulumi's runner does (util.inspect loops on the SDK's mapped frames)", () => {
    const err = withOwnFrames(Object.assign(new Error("x"), { stack: RUNNER_STACK }));
    // Without withOwnFrames this throws RangeError: Invalid string length after ~20 s of CPU.
    assert.equal(stripVTControlCharacters(inspect(err, { colors: true })), err.stack);
  });
});
