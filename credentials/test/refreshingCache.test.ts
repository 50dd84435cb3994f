import assert from "node:assert/strict";
import { RefreshingCache } from "../src/refreshingCache";

interface Value {
  id: number;
  expiration: Date;
}

interface Deferred {
  resolve: (value: Value) => void;
  reject: (error: unknown) => void;
}

/** A cache whose fetches stay pending until the test settles them; the clock is `clock.now`. */
function setup(onRefreshError?: (error: unknown) => void) {
  const clock = { now: 1_000_000 };
  const fetches: Deferred[] = [];
  const cache = new RefreshingCache<Value>(
    () =>
      new Promise<Value>((resolve, reject) => {
        fetches.push({ resolve, reject });
      }),
    {
      refreshAheadMs: 300_000,
      now: () => clock.now,
      failedRefreshBackoffMs: () => 10_000,
      ...(onRefreshError ? { onRefreshError } : {}),
    },
  );
  const value = (id: number, lifetimeMs = 3_600_000): Value => ({
    id,
    expiration: new Date(clock.now + lifetimeMs),
  });
  return { clock, fetches, cache, value };
}

/** Lets pending promise callbacks and rejection tracking run. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Resolves to `promise`'s value, or to "blocked" if it is still pending after a flush. */
const settledNow = <T>(promise: Promise<T>): Promise<T | "blocked"> =>
  Promise.race([promise, flush().then(() => "blocked" as const)]);

describe("RefreshingCache", () => {
  let unhandled: unknown[];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  beforeEach(() => {
    unhandled = [];
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    process.removeListener("unhandledRejection", onUnhandled);
  });

  it("callers with nothing cached wait for one shared fetch", async () => {
    const { fetches, cache, value } = setup();
    const gets = Array.from({ length: 5 }, () => cache.get());
    assert.equal(await settledNow(Promise.all(gets)), "blocked");
    assert.equal(fetches.length, 1);
    fetches[0]!.resolve(value(1));
    assert.deepEqual(
      (await Promise.all(gets)).map((v) => v.id),
      [1, 1, 1, 1, 1],
    );
  });

  it("serves a due, still-valid value at once and refreshes it once in the background", async () => {
    const { clock, fetches, cache, value } = setup();
    const first = cache.get();
    fetches[0]!.resolve(value(1));
    const v1 = await first;
    clock.now = v1.expiration.getTime() - 100_000; // inside the 300 s window
    const served = await settledNow(Promise.all(Array.from({ length: 10 }, () => cache.get())));
    assert.notEqual(served, "blocked", "callers with a valid value must not wait for the refresh");
    assert.deepEqual(
      (served as Value[]).map((v) => v.id),
      Array<number>(10).fill(1),
    );
    assert.equal(fetches.length, 2, "one background refresh");
    fetches[1]!.resolve(value(2));
    await flush();
    assert.equal((await cache.get()).id, 2);
    assert.equal(fetches.length, 2);
  });

  it("callers whose value expired join the background refresh", async () => {
    const { clock, fetches, cache, value } = setup();
    const first = cache.get();
    fetches[0]!.resolve(value(1));
    const v1 = await first;
    clock.now = v1.expiration.getTime() - 100_000;
    assert.equal((await cache.get()).id, 1);
    clock.now = v1.expiration.getTime();
    const waiting = cache.get();
    assert.equal(await settledNow(waiting), "blocked");
    fetches[1]!.resolve(value(2));
    assert.equal((await waiting).id, 2);
    assert.equal(fetches.length, 2);
  });

  it("caps the window at half the value's lifetime", async () => {
    const { clock, fetches, cache, value } = setup();
    const first = cache.get();
    fetches[0]!.resolve(value(1, 400_000)); // 300 s window, capped at 200 s
    const v1 = await first;
    clock.now = v1.expiration.getTime() - 200_001;
    assert.equal((await cache.get()).id, 1);
    assert.equal(fetches.length, 1);
    clock.now += 1;
    assert.equal((await cache.get()).id, 1);
    assert.equal(fetches.length, 2);
  });

  for (const [what, hook] of [
    ["a hook", undefined],
    ["a throwing hook", "throws"],
    ["no hook", "none"],
  ] as const) {
    it(`reports a failed background refresh to ${what}, never as an unhandled rejection`, async () => {
      const reported: unknown[] = [];
      const { clock, fetches, cache, value } = setup(
        hook === "none"
          ? undefined
          : (error) => {
              reported.push(error);
              if (hook === "throws") throw new Error("hook failed");
            },
      );
      const first = cache.get();
      fetches[0]!.resolve(value(1));
      const v1 = await first;
      clock.now = v1.expiration.getTime() - 100_000;
      assert.equal(await settledNow(cache.get()), v1);
      const failure = new Error("STS down");
      fetches[1]!.reject(failure);
      await flush();
      assert.deepEqual(reported, hook === "none" ? [] : [failure]);
      assert.deepEqual(unhandled, []);
      // Still served, without a new fetch during the backoff.
      assert.equal(await cache.get(), v1);
      assert.equal(fetches.length, 2);
    });
  }
});
