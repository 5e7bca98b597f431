import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import {
  newTotpSecret,
  TOTP_DEFAULTS,
  type TotpAlgorithm,
  totpCode,
  totpStepOf,
  totpUri,
} from '../../../src/authn/mfa/totp.js';

const base32 = (ascii: string) => Secret.fromLatin1(ascii).base32;

/** RFC 6238 Appendix B: the seed of each algorithm is its key length of "1234567890" repeated. */
const seeds: Record<TotpAlgorithm, string> = {
  SHA1: base32('12345678901234567890'),
  SHA256: base32('12345678901234567890123456789012'),
  SHA512: base32('1234567890123456789012345678901234567890123456789012345678901234'),
};

const rfc6238: Array<[seconds: number, sha1: string, sha256: string, sha512: string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('RFC 6238 Appendix B (TOTP, 8 digits, 30 s)', () => {
  for (const [seconds, ...codes] of rfc6238) {
    (['SHA1', 'SHA256', 'SHA512'] as const).forEach((algorithm, i) => {
      it(`${algorithm} at T=${seconds}`, () => {
        const parameters = { algorithm, digits: 8, periodSeconds: 30 };
        expect(totpCode(seeds[algorithm], parameters, seconds * 1000)).toBe(codes[i]);
        expect(totpStepOf(seeds[algorithm], parameters, codes[i] ?? '', seconds * 1000)).toBe(
          Math.floor(seconds / 30),
        );
      });
    });
  }
});

/** RFC 4226 Appendix D: HOTP is TOTP at the start of step `counter`. */
const rfc4226 = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];

describe('RFC 4226 Appendix D (HOTP, SHA-1, 6 digits)', () => {
  rfc4226.forEach((code, counter) => {
    it(`counter ${counter}`, () => {
      expect(totpCode(seeds.SHA1, TOTP_DEFAULTS, counter * 30_000)).toBe(code);
    });
  });
});

describe('the window and the input', () => {
  const secret = newTotpSecret();
  const now = 1_700_000_000_000;
  const step = Math.floor(now / 30_000);
  const codeAt = (offsetSteps: number) =>
    totpCode(secret, TOTP_DEFAULTS, now + offsetSteps * 30_000);

  it('accepts one step either side and names the step the code belongs to', () => {
    expect(totpStepOf(secret, TOTP_DEFAULTS, codeAt(0), now)).toBe(step);
    expect(totpStepOf(secret, TOTP_DEFAULTS, codeAt(-1), now)).toBe(step - 1);
    expect(totpStepOf(secret, TOTP_DEFAULTS, codeAt(1), now)).toBe(step + 1);
  });

  it('refuses two steps away, other lengths and non-digits', () => {
    for (const code of [codeAt(-2), codeAt(2)]) {
      // A code two steps away may collide with one in the window (1 in 10^6 per step): skip it.
      if ([codeAt(-1), codeAt(0), codeAt(1)].includes(code)) continue;
      expect(totpStepOf(secret, TOTP_DEFAULTS, code, now)).toBeNull();
    }
    expect(totpStepOf(secret, TOTP_DEFAULTS, codeAt(0).slice(1), now)).toBeNull();
    expect(totpStepOf(secret, TOTP_DEFAULTS, `${codeAt(0)}0`, now)).toBeNull();
    expect(totpStepOf(secret, TOTP_DEFAULTS, 'abcdef', now)).toBeNull();
    expect(totpStepOf(secret, TOTP_DEFAULTS, '', now)).toBeNull();
  });

  it('takes a code typed with a space in the middle', () => {
    const code = codeAt(0);
    expect(totpStepOf(secret, TOTP_DEFAULTS, `${code.slice(0, 3)} ${code.slice(3)}`, now)).toBe(
      step,
    );
  });

  it('makes 160-bit secrets and a URI apps read', () => {
    expect(Secret.fromBase32(secret).bytes.length).toBe(20);
    const uri = new URL(totpUri(secret, TOTP_DEFAULTS, { issuer: 'Gatehouse', label: 'a@b.c' }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Gatehouse:a@b.c');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret,
      issuer: 'Gatehouse',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
