/* eslint-disable @typescript-eslint/unbound-method -- Error.prepareStackTrace is typed as a method; these tests only compare and restore it */
import { strict as assert } from "node:assert";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import { leaveSdkPromiseStacksUnmapped } from "../lib/promiseStacks";

/** The stack the SDK stamps on a promise it tracks (debuggable.js; @internal, so untyped). */
const { debuggablePromise } = debuggable as unknown as {
  debuggablePromise: (p: Promise<unknown>, ctx: string) => Promise<unknown>;
};
const sdkStamp = (): string => {
  const p = Promise.resolve();
  void debuggablePromise(p, "test");
  return (p as unknown as { _debugStackTrace: string })._debugStackTrace;
};

describe("the SDK's promise stacks skip source mapping (lib/promiseStacks.ts)", () => {
  const original = Error.prepareStackTrace;
  /** Stands in for source-map-support: records what it was asked to format. */
  let mapped: string[];
  const fakeMapping = (error: Error) => {
    mapped.push(error.message);
    return `mapped: ${error.message}`;
  };
  beforeEach(() => {
    mapped = [];
    Error.prepareStackTrace = fakeMapping;
  });
  afterEach(() => {
    Error.prepareStackTrace = original;
  });

  it("formats the SDK's promise stamps as V8 does, without the mapping", () => {
    leaveSdkPromiseStacksUnmapped({});
    const stamp = sdkStamp();
    assert.match(
      stamp,
      /^Error\n {4}at debuggablePromise \(\/\S+\/@pulumi\/pulumi\/runtime\/debuggable\.js:\d+:\d+\)\n/,
    );
    assert.deepEqual(mapped, []);
  });

  it("leaves every other stack to the mapping, a thrown error's included", () => {
    leaveSdkPromiseStacksUnmapped({});
    assert.equal(new Error("thrown").stack, "mapped: thrown");
    assert.deepEqual(mapped, ["thrown"]);
  });

  it("wraps the mapping once, however often the program runs", () => {
    leaveSdkPromiseStacksUnmapped({});
    const installed = Error.prepareStackTrace;
    leaveSdkPromiseStacksUnmapped({});
    assert.equal(Error.prepareStackTrace, installed);
    assert.notEqual(installed, fakeMapping);
  });

  it("keeps the mapping when PULUMI_DEBUG_PROMISE_LEAKS asks for the report that prints them", () => {
    leaveSdkPromiseStacksUnmapped({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    assert.equal(Error.prepareStackTrace, fakeMapping);
    assert.equal(sdkStamp(), "mapped: ");
  });

  it("does nothing where no one maps stacks", () => {
    Reflect.deleteProperty(Error, "prepareStackTrace");
    leaveSdkPromiseStacksUnmapped({});
    assert.equal(Error.prepareStackTrace, undefined);
  });
});
