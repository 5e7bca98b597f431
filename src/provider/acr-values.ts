/** `acr_values` naming `aal2`: the relying party asks for a second factor. */
export const asksForSecondFactor = (acrValues: unknown): boolean =>
  typeof acrValues === 'string' && acrValues.split(' ').includes('aal2');
