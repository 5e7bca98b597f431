import { describe, expect, it } from 'vitest';
import { sourceOf } from '../../src/authn/login/login-limits.js';

describe('rate-limit sources', () => {
  it('groups IPv6 by /64 and keeps IPv4 (and v4-mapped) addresses whole', () => {
    expect(sourceOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:0db8:0001:0002::')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceOf('203.0.113.9')).toBe('203.0.113.9');
    expect(sourceOf('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(sourceOf('::FFFF:203.0.113.9')).toBe('203.0.113.9');
    expect(sourceOf('2001:DB8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(sourceOf(null)).toBe('unknown');
  });
});
