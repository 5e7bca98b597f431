import type { ImportCounts } from '../authn/user-import/import-users.js';

const EVERY_MS = 1000;

const duration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/**
 * The import's progress line on stderr: counts, rate and (from how much of the
 * file is read) an ETA; redrawn in place at a terminal, a line per second
 * otherwise (logs). Rows reported one by one start on a line of their own.
 */
export function progressLine(fractionRead: () => number, started = Date.now()) {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let drawn = false;
  let lastShown = '';
  const render = (counts: ImportCounts) => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(counts.read / seconds) : 0;
    const fraction = fractionRead();
    const eta =
      fraction > 0 && fraction < 1
        ? `, ETA ${duration((seconds / fraction) * (1 - fraction))}`
        : '';
    return `import: ${counts.read} read, ${counts.imported} imported, ${counts.skipped} skipped, ${counts.failed} failed; ${rate} rows/s; ${Math.floor(fraction * 100)}%${eta}`;
  };
  const write = (text: string) => {
    process.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
    drawn = tty;
  };
  return {
    update(counts: ImportCounts): void {
      const now = Date.now();
      if (now - last < EVERY_MS) return;
      last = now;
      lastShown = JSON.stringify(counts);
      write(render(counts));
    },
    finish(counts: ImportCounts): void {
      // The last batch's line may already say it all (no terminal to redraw on).
      if (tty || JSON.stringify(counts) !== lastShown) write(render(counts));
      if (tty) process.stderr.write('\n');
      drawn = false;
    },
    /** A line about one row, above the progress line. */
    note(text: string): void {
      process.stderr.write(`${drawn ? '\r\x1b[2K' : ''}${text}\n`);
      drawn = false;
    },
  };
}
