import assert from 'node:assert/strict';
import axios from 'axios';
import { PATHS } from '../../../../bot/loa/contract';
import { ManualClock } from '../../../helpers/manualClock';
import type { TestSandbox } from '../../../../testkit/sandbox';
import { bearer, startTestSandbox, validCreateBody } from '../../../../testkit/sandbox';

describe('LOA sandbox test hooks', () => {
  let clock: ManualClock;
  let t: TestSandbox;
  let token: string;

  const create = async (body = validCreateBody()) => (await t.api.post<{ id: string }>(PATHS.agreements, body, bearer(token))).data;

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-03-02T09:00:00.000Z'));
    t = await startTestSandbox({ clock });
    token = await t.tokenFor('Rep.Customer@example.com');
  });

  afterEach(async () => {
    await t.close();
    assert.deepEqual(t.contractFailures, []);
  });

  it('lists every agreement ever created with its owner, deleted ones marked DELETED', async () => {
    const kept = await create(validCreateBody({ cc: { name: 'Copy', email: 'cc@example.com' } }));
    const deleted = await create();
    clock.advance(5000);
    await t.api.delete(PATHS.agreement(deleted.id), bearer(token));

    const listed = await t.hooks.agreements();

    assert.deepEqual(
      listed.map((a) => ({ id: a.id, status: a.status, owner: a.owner, cc: a.cc, deletedAt: a.deletedAt })),
      [
        { id: kept.id, status: 'SENT', owner: 'rep.customer@example.com', cc: { name: 'Copy', email: 'cc@example.com' }, deletedAt: undefined },
        { id: deleted.id, status: 'DELETED', owner: 'rep.customer@example.com', cc: undefined, deletedAt: '2026-03-02T09:00:05.000Z' },
      ],
    );
    assert.deepEqual(listed[0]?.formData, validCreateBody().formData);
  });

  it('sets a status and the time of the change', async () => {
    const created = await create();
    clock.advance(90_000);

    const changed = await t.hooks.setStatus(created.id, 'DECLINED');

    assert.equal(changed.status, 'DECLINED');
    assert.equal(changed.updatedAt, '2026-03-02T09:01:30.000Z');
    assert.equal((await t.hooks.agreements())[0]?.status, 'DECLINED');
  });

  it('refuses an unknown status with 400 and an unknown or deleted agreement with 404', async () => {
    const created = await create();
    const post = (id: string, status: string) => axios.post(`${t.url}/_sandbox/agreements/${id}/status`, { status }, { validateStatus: () => true });

    assert.equal((await post(created.id, 'ARCHIVED')).status, 400);
    assert.equal((await post('no-such-agreement', 'SIGNED')).status, 404);
    await t.api.delete(PATHS.agreement(created.id), bearer(token));
    assert.equal((await post(created.id, 'SIGNED')).status, 404);
  });

  it('resets agreements, tokens, call counts, faults and capabilities', async () => {
    await create();
    await t.hooks.setFaults({ get: { next: ['503'] } });
    await t.hooks.setCapabilities({ getAgreement: false });

    await t.hooks.reset();

    assert.deepEqual(await t.hooks.agreements(), []);
    assert.deepEqual(await t.hooks.calls(), { token: 0, create: 0, get: 0, delete: 0 });
    assert.equal((await t.api.get(PATHS.agreement('any'), bearer(token))).status, 401, 'the old token should be forgotten');
    const fresh = await t.tokenFor('rep.customer@example.com');
    assert.equal((await t.api.get(PATHS.agreement('any'), bearer(fresh))).status, 404, 'neither the 503 nor the 405 should survive');
  });

  it('reports the capabilities it now has', async () => {
    assert.deepEqual(await t.hooks.setCapabilities({ getAgreement: false }), { getAgreement: false });
    assert.deepEqual(await t.hooks.setCapabilities({}), { getAgreement: false });
    assert.deepEqual(await t.hooks.setCapabilities({ getAgreement: true }), { getAgreement: true });
  });

  it('refuses capabilities it does not know', async () => {
    const response = await axios.put(`${t.url}/_sandbox/capabilities`, { listAgreements: true }, { validateStatus: () => true });
    assert.equal(response.status, 400);
  });
});
