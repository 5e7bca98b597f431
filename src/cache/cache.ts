/** A fixed-window counter's state. */
export interface Counter {
  count: number;
  resetInSeconds: number;
}

export interface SubscribeOptions {
  /**
   * Called each time the subscription is back after a lost connection (and
   * confirmed by the server): messages published meanwhile were missed.
   */
  onResubscribe?: () => void;
  /**
   * Called each time the subscription's connection is lost: until the next
   * `onResubscribe`, messages may be missed.
   */
  onLost?: () => void;
}

/**
 * The shared, short-lived state of a deployment: rate-limit counters and the
 * revocation feed. Memory for one instance; Redis so limits and revocations
 * hold across instances. Both adapters pass test/unit/cache.test.ts.
 */
export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** Adds one to a counter whose window starts at its first hit. */
  increment(key: string, windowSeconds: number): Promise<Counter>;
  /** Takes one back from a live counter (never below zero); nothing if the window has ended. */
  decrement(key: string): Promise<void>;
  peek(key: string): Promise<Counter | null>;
  delete(key: string): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    options?: SubscribeOptions,
  ): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
