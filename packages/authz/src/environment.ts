/**
 * The environment a decision is made in: an injected clock and the caller's
 * IP. Local time is computed with Intl in the policy's time zone; the engine
 * never reads the system clock.
 */
import { BlockList, isIP } from 'node:net';

export interface DecisionContext {
  readonly now: Date;
  readonly ip?: string;
}

export interface LocalTime {
  /** 0 = Sunday … 6 = Saturday, in the clock's time zone. */
  readonly weekday: number;
  /** Minutes since local midnight. */
  readonly minutes: number;
}

const WEEKDAY_INDEX: Readonly<Record<string, number>> = {
  Sun: 0,
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
};

/** Converts instants to local weekday and minutes in one IANA time zone. */
export class LocalClock {
  private readonly format: Intl.DateTimeFormat;

  /** Throws RangeError for an unknown time zone. */
  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
  }

  at(now: Date): LocalTime {
    let weekday = 0;
    let hour = 0;
    let minute = 0;
    for (const part of this.format.formatToParts(now)) {
      if (part.type === 'weekday') weekday = WEEKDAY_INDEX[part.value] ?? 0;
      else if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
    }
    return { weekday, minutes: hour * 60 + minute };
  }
}

/** A named weekly window such as business hours, declared under `schedules:`. */
export interface Schedule {
  readonly name: string;
  readonly clock: LocalClock;
  readonly days: ReadonlySet<number>;
  readonly fromMinutes: number;
  readonly toMinutes: number;
}

/** True when `local` falls in the window; a window whose end is before its start spans midnight. */
export function isWithin(schedule: Schedule, local: LocalTime): boolean {
  if (!schedule.days.has(local.weekday)) return false;
  const { fromMinutes, toMinutes } = schedule;
  if (fromMinutes <= toMinutes) return local.minutes >= fromMinutes && local.minutes < toMinutes;
  return local.minutes >= fromMinutes || local.minutes < toMinutes;
}

/** Parses "HH:MM" into minutes since midnight; throws Error when malformed. */
export function parseClockTime(text: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (match === null) throw new Error(`expected HH:MM, got '${text}'`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Parses "10.0.0.0/8" or "fd00::/8" into a matcher; throws Error when malformed. */
export function parseCidr(text: string): BlockList {
  const [address = '', prefixText, extra] = text.split('/');
  const family = isIP(address);
  const prefix = Number(prefixText);
  const max = family === 4 ? 32 : 128;
  if (family === 0 || extra !== undefined || !/^\d+$/.test(prefixText ?? '') || prefix > max) {
    throw new Error(`invalid CIDR range '${text}'`);
  }
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

/** True when `ip` is a valid address inside `range`; a missing or malformed IP never matches. */
export function ipInRange(range: BlockList, ip: string | undefined): boolean {
  if (ip === undefined) return false;
  const family = isIP(ip);
  if (family === 0) return false;
  return range.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}
