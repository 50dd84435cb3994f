import * as assert from "node:assert/strict";
import { createCancellation } from "../cancellation";

describe("cancellation on signals (in process, fake clock)", () => {
  function setup() {
    let clock = 10_000;
    const events: string[] = [];
    let release: () => void = () => undefined;
    const { controller, onSignal } = createCancellation({
      stderr: (t) => events.push(`log: ${t.trim()}`),
      now: () => clock,
      stopChildren: () =>
        new Promise<void>((resolve) => {
          events.push("stopChildren");
          release = () => {
            events.push("children gone");
            resolve();
          };
        }),
      exit: (code) => events.push(`exit ${code}`),
    });
    return {
      controller,
      onSignal,
      events,
      advance: (ms: number) => (clock += ms),
      release: () => release(),
    };
  }

  it("first signal aborts; a repeat within 2 s is ignored; a later one stops the CLI, then exits 8", async () => {
    const t = setup();
    t.onSignal("SIGINT");
    assert.equal(t.controller.signal.aborted, true);
    t.advance(1999);
    t.onSignal("SIGINT");
    assert.ok(!t.events.includes("stopChildren"));
    assert.ok(!t.events.some((e) => e.startsWith("exit")));
    t.advance(1);
    t.onSignal("SIGTERM");
    t.onSignal("SIGTERM"); // while stopping: nothing more happens
    assert.deepEqual(
      t.events.filter((e) => !e.startsWith("log:")),
      ["stopChildren"],
    );
    t.release();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      t.events.filter((e) => !e.startsWith("log:")),
      ["stopChildren", "children gone", "exit 8"],
    );
  });
});
