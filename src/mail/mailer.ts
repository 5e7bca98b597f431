export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Where mail goes: SMTP in production, a local outbox file in development and tests. */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(mail: Mail): Promise<void>;
}
