/**
 * CSV as RFC 4180 says (CRLF rows; a field holding a comma, a quote or a
 * line break is quoted, its quotes doubled), with the OWASP guard against
 * formula injection: a text cell a spreadsheet would run as a formula
 * (starting with = + - @, or a tab or CR that hides one) is prefixed with '.
 */
export type CsvCell = string | number | boolean | null;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvRow = (cells: readonly CsvCell[]): string => `${cells.map(csvCell).join(',')}\r\n`;
