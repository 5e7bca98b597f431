/** Shortens text shown in a problem detail: details name the fault, never echo much of the input. */
export const clip = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max)}…` : text;
