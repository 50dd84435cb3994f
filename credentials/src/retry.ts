/** Capped, jittered exponential backoff ("full jitter"). */

export interface RetryOptions {
  /** Attempts in total for transient STS errors (IDPCommunicationError, throttling). Default 4. */
  maxAttempts?: number;
  /** First backoff ceiling in ms. Default 200. */
  baseDelayMs?: number;
  /** Backoff cap in ms. Default 5,000. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

/**
 * Delay before retry number `retry` (0 = the first retry): a uniformly random value in
 * [0, min(maxDelayMs, baseDelayMs * 2^retry)).
 */
export function backoffDelayMs(
  retry: number,
  options: Pick<Required<RetryOptions>, "baseDelayMs" | "maxDelayMs"> = DEFAULT_RETRY,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry));
  return Math.floor(random() * ceiling);
}

export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
