/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** What a screen may show of a number: its last two digits. */
export const maskPhone = (phone: string): string =>
  `+${'•'.repeat(Math.max(phone.length - 3, 0))}${phone.slice(-2)}`;
