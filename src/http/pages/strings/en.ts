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
    challenge_expired: 'That sign-in took too long or was already used. Sign in again.',
    sms_sent: 'We texted you a code.',
    password_reset: 'Your password is changed. Sign in with the new one.',
    email_verified: 'Your email address is confirmed.',
    reset_requested: 'If an account has this email, we sent it a link to choose a new password.',
    magic_link_requested: 'If an account has this email, we sent it a sign-in link.',
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
  signIn: {
    askEmailLink: 'Email me a sign-in link',
    tooManyAttempts: (seconds: number) => `Too many attempts. Try again in ${seconds} seconds.`,
    banned: 'This account is suspended. Contact the people who run this site.',
    mfa: {
      title: 'Confirm it is you',
      heading: 'One more step',
      intro: 'Your account asks for a second proof. Use one of these.',
      attemptsLeft: (n: number) => (n === 1 ? 'One try left.' : `${n} tries left.`),
      wrongCode: 'That code is not right.',
      totpHeading: 'Authenticator app',
      totpLabel: 'Code from your app',
      recoveryHeading: 'Recovery code',
      recoveryLabel: 'One of your recovery codes',
      smsHeading: 'Text message',
      smsSend: 'Text me a code',
      smsLabel: 'Code from the text message',
      smsSent: (to: string) => `We texted a code to ${to}.`,
      passkeyHeading: 'Passkey',
      passkeyButton: 'Use a passkey',
      passkeyFailed: 'The passkey did not work. Try again or use another way.',
      verify: 'Verify',
      startOver: 'Start over',
    },
    signUp: {
      title: 'Create an account',
      heading: 'Create an account',
      passwordHint: 'A long phrase is easiest to remember and hardest to guess.',
      submit: 'Create the account',
      haveAccount: 'Already have an account?',
      taken: 'An account with this email exists. Sign in or reset the password.',
      sentTitle: 'Check your mail',
      sentBody:
        'We sent a link to the address you gave. Open it to confirm your email, then sign in.',
    },
    weakPassword: {
      too_short: 'This password is too short.',
      too_long: 'This password is too long.',
      common: 'This password is too common: it is among the first an attacker tries.',
      contains_email: 'This password contains your email address.',
      context: 'This password is too easy to guess here.',
    } as Partial<Record<string, string>>,
    forgot: {
      title: 'Forgot your password',
      heading: 'Forgot your password?',
      intro: 'Give your email and we will send you a link to choose a new password.',
      submit: 'Send me a link',
      backToSignIn: 'Back to sign in',
    },
    reset: {
      title: 'Choose a new password',
      heading: 'Choose a new password',
      newPassword: 'New password',
      submit: 'Set the password',
      invalid: 'This link is not valid any more: it was used, or it is too old. Ask for a new one.',
      askAgain: 'Ask for a new link',
    },
    verify: {
      title: 'Confirm your email',
      heading: 'Confirm your email',
      intro: 'Press the button to confirm that this email address is yours.',
      submit: 'Confirm my email',
      invalid: 'This link is not valid any more: it was used, or it is too old.',
    },
    emailLink: {
      title: 'Sign in with a link',
      heading: 'Sign in with a link',
      intro: 'Give your email and we will send you a link that signs you in once.',
      submit: 'Email me a link',
    },
    magicLink: {
      title: 'Continue signing in',
      heading: 'Continue signing in',
      intro: 'Press the button to sign in with the link we mailed you.',
      submit: 'Continue signing in',
      invalid: 'This sign-in link is not valid any more: it was used, or it is too old.',
      askAgain: 'Email me a new link',
    },
  },

  // Account pages add their section here.

  // Admin console pages add their section here.
};

export type Strings = typeof en;
