/**
 * Every mail template and the placeholders it may use: the one list that the
 * start-up check reads and the render function is typed by. `productName` and
 * `accentColor` (branding) and `email` (the recipient) are filled in for every
 * template; the rest come from the caller.
 */
export const templateVariables = {
  verify_email: ['link', 'lifetime'],
  reset_password: ['link', 'lifetime'],
  password_changed: ['ip', 'accountLink'],
  magic_link: ['link', 'lifetime'],
  already_registered: ['signInLink'],
  recovery_code_used: ['ip', 'remaining', 'accountLink'],
  factor_added: ['method', 'ip', 'accountLink'],
  factor_removed: ['method', 'ip', 'accountLink'],
  factors_reset: ['methods', 'accountLink'],
} as const satisfies Record<string, readonly string[]>;

export const commonVariables = ['productName', 'accentColor', 'email'] as const;

export type TemplateName = keyof typeof templateVariables;

/** What a caller passes to a template: each of its own placeholders, as text or a number. */
export type TemplateVariables<N extends TemplateName> = {
  readonly [V in (typeof templateVariables)[N][number]]: string | number;
};

export const templateNames = Object.keys(templateVariables) as TemplateName[];

/** The placeholders a template may contain. */
export const allowedVariables = (name: TemplateName): ReadonlySet<string> =>
  new Set<string>([...commonVariables, ...templateVariables[name]]);
