export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** The same message as HTML: both parts go out (multipart/alternative). */
  html: string;
}

/** Where mail goes: SMTP in production, a local outbox file in development and tests. */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(mail: Mail): Promise<void>;
}
