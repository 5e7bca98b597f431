export interface Sms {
  /** E.164, e.g. `+447700900123`. */
  to: string;
  body: string;
}

/** Where text messages go: a provider's HTTP API in production, a local outbox in development and tests. */
export interface SmsSender {
  readonly kind: 'http' | 'outbox';
  send(sms: Sms): Promise<void>;
}
