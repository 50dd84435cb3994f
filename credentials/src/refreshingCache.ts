/**
 * A cache for one expiring value with single-flight refresh:
 * - fresh (now < expiration - refreshAhead, the window capped at half the value's lifetime):
 *   served from memory;
 * - due (inside the refresh window, still valid): served at once while one background refresh
 *   runs; if it fails, onRefreshError gets the error, the cached value keeps being served and
 *   the refresh is retried after a backoff;
 * - missing or expired: callers share one refresh and its error; after a failure, until the
 *   backoff has elapsed, callers get that error again at once (no new fetch).
 */

export interface Expiring {
  expiration?: Date;
}

export interface RefreshingCacheOptions {
  /** Refresh this long before expiry, in ms. */
  refreshAheadMs: number;
  now: () => number;
  /** Wait before retrying a failed refresh (ms, per consecutive failure). */
  failedRefreshBackoffMs: (failures: number) => number;
  /** Called with the error of a failed background refresh (the cached value is still served). */
  onRefreshError?: (error: unknown) => void;
}

/**
 * The refresh window for one fetched value: `refreshAheadMs`, but at most half its lifetime, so a
 * short session (900 s credentials with a 900 s window) is not refreshed on every call.
 */
export function refreshAheadFor(
  refreshAheadMs: number,
  expiresAt: number,
  fetchedAt: number,
): number {
  return Math.min(refreshAheadMs, Math.max(0, expiresAt - fetchedAt) / 2);
}

export class RefreshingCache<T extends Expiring> {
  private value: T | undefined;
  /** When the cached value is due for refresh. */
  private refreshAt = 0;
  private inflight: Promise<T> | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  /** The last refresh's failure, while it is the latest outcome. */
  private lastFailure: { error: unknown } | undefined;

  constructor(
    private readonly fetch: () => Promise<T>,
    private readonly options: RefreshingCacheOptions,
  ) {}

  /** The cached value, if any (for tests and diagnostics). */
  peek(): T | undefined {
    return this.value;
  }

  async get(): Promise<T> {
    const now = this.options.now();
    const cached = this.value;
    if (cached && now < this.refreshAt) return cached;
    if (cached && now < (cached.expiration?.getTime() ?? Number.POSITIVE_INFINITY)) {
      // Due but still valid: serve it now; refresh in the background (once, after any backoff).
      if (!this.inflight && now >= this.nextAttemptAt) this.refreshInBackground();
      return cached;
    }
    if (this.inflight) return this.inflight;
    if (this.lastFailure && now < this.nextAttemptAt) {
      throw this.lastFailure.error; // backing off: nothing valid to serve, do not hammer
    }
    return this.refresh();
  }

  /** Nobody awaits a background refresh: its failure goes to onRefreshError, never unhandled. */
  private refreshInBackground(): void {
    this.refresh().catch((error: unknown) => {
      try {
        this.options.onRefreshError?.(error);
      } catch {
        // A throwing hook must not turn into an unhandled rejection.
      }
    });
  }

  private refresh(): Promise<T> {
    const run = async (): Promise<T> => {
      try {
        const fresh = await this.fetch();
        const expiresAt = fresh.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
        const ahead = refreshAheadFor(this.options.refreshAheadMs, expiresAt, this.options.now());
        this.value = fresh;
        this.refreshAt = expiresAt - ahead;
        this.failures = 0;
        this.nextAttemptAt = 0;
        this.lastFailure = undefined;
        return fresh;
      } catch (error) {
        this.failures += 1;
        this.nextAttemptAt =
          this.options.now() + this.options.failedRefreshBackoffMs(this.failures - 1);
        this.lastFailure = { error };
        throw error;
      } finally {
        this.inflight = undefined;
      }
    };
    this.inflight = run();
    return this.inflight;
  }
}
