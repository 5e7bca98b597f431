/** An ISO 8601 date and time as epoch ms; without an offset it is UTC (what a `datetime-local` field sends). */
export const instantMs = (text: string): number =>
  Date.parse(/(?:z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text}Z`);
