import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import type { Client } from '../helpers/client.js';
import { failWrites } from '../helpers/failing-writes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrolSms, textedCode, uniquePhone } from '../helpers/sms.js';

/**
 * Adding or removing an SMS factor and its audit row commit together: when
 * the audit fails, the factor is as it was (and the texted code still works).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { sms: { enabled: true, sendPerIp: 10_000 } } });
});
afterAll(() => server.stop());

const smsFactors = async (client: Client) =>
  (
    await client.get<{ factors: Array<{ method: string; id: string }> }>('/auth/mfa')
  ).body.factors.filter((factor) => factor.method === 'sms');

const failAudit = (name: string, type: string) =>
  failWrites(server, {
    name,
    table: 'audit_events',
    event: 'INSERT',
    when: `NEW.type = '${type}'`,
  });

describe('an SMS factor change that fails half-way leaves nothing behind', () => {
  it('no factor when its audit row cannot be written, and the code works once it can', async () => {
    const { client } = await signedInUser(server);
    const phone = uniquePhone();
    expect((await client.post('/auth/mfa/sms/setup', { phone })).status).toBe(202);
    const code = await textedCode(server, phone);
    const undo = await failAudit('fail_sms_added', 'factor_added');
    const confirm = await client.post('/auth/mfa/sms/confirm', { code });
    await undo();
    expect(confirm.status).toBe(500);
    expect(await smsFactors(client)).toEqual([]);
    const again = await client.post('/auth/mfa/sms/confirm', { code });
    expect(again.status, again.text).toBe(201);
    expect(await smsFactors(client)).toHaveLength(1);
  });

  it('the factor stays when the audit row of its removal cannot be written', async () => {
    const { client } = await signedInUser(server);
    const factorId = await enrolSms(server, client, uniquePhone());
    const undo = await failAudit('fail_sms_removed', 'factor_removed');
    const removal = await client.delete(`/auth/mfa/sms/${factorId}`);
    await undo();
    expect(removal.status).toBe(500);
    expect(await smsFactors(client)).toEqual([expect.objectContaining({ id: factorId })]);
  });
});
