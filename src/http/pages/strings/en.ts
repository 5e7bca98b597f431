/**
 * Every word the hosted pages show, in one place: a translation is a copy of
 * this file with the same shape (`Strings`), chosen in `strings/index.ts`.
 * Sections: common, errors and notices (foundation), then one per area.
 */
export const en = {
  lang: 'en',
  common: {
    skipToContent: 'Skip to content',
    mainNav: 'Main',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signUp: 'Create an account',
    account: 'Account',
    admin: 'Admin',
    email: 'Email',
    password: 'Password',
    submit: 'Continue',
    cancel: 'Cancel',
    save: 'Save',
    back: 'Back',
    signedInAs: (email: string) => `Signed in as ${email}`,
    errorSummary: 'There is a problem',
    required: 'Required.',
  },
  errors: {
    title: (status: number) => (status >= 500 ? 'Something went wrong' : 'That did not work'),
    reference: (ref: string) => `Reference: ${ref}`,
    home: 'Go to the start page',
    notFound: 'There is no page at this address.',
    formExpired: 'This form has expired. Go back, reload the page and try again.',
    internal: 'Something went wrong on our side. Try again in a moment.',
    retryAfter: (seconds: number) => `Try again in ${seconds} seconds.`,
    byCode: {
      invalid_credentials: 'The email or password is not right.',
      rate_limited: 'Too many attempts.',
      unavailable: 'The service is unavailable for a moment.',
      account_banned: 'This account is suspended.',
      email_not_verified:
        'Confirm your email address first: open the link we mailed you, or ask for a new one on the “Resend the link” page.',
      forbidden: 'You may not do that.',
      not_found: 'There is no such thing here.',
      payload_too_large: 'What you sent is too large.',
      unsupported_media_type: 'Send this form from the page.',
      invalid_request: 'Some of what you sent is not valid.',
    } as Partial<Record<string, string>>,
  },
  /** Messages shown after a redirect (`?notice=<key>`); unknown keys show nothing. */
  notices: {
    signed_out: 'You are signed out.',
  } as Record<string, string>,
  home: {
    title: 'Welcome',
  },
  login: {
    title: 'Sign in',
    heading: 'Sign in',
    forgot: 'Forgot your password?',
    noAccount: 'New here?',
    withPasskey: 'Sign in with a passkey',
    passkeyFailed: 'Signing in with the passkey did not work. Try again or use your password.',
    orDivider: 'or',
    providersHeading: 'Or continue with',
  },
  // Sign-in pages (second factor, sign-up, password reset, email, magic link) add their section here.

  // Account pages add their section here.

  // Admin console pages add their section here.
};

export type Strings = typeof en;
