import assert from 'node:assert/strict';
import { TemplateCatalog } from '../../../../bot/domain/templateCatalog';
import { API_ERROR_CODES, PATHS } from '../../../../bot/loa/contract';
import type { WireAgreement } from '../../../../deploy/local/sandbox/sandboxServer';
import { ManualClock } from '../../../helpers/manualClock';
import type { ApiErrorAnswer, TestSandbox } from '../../../../testkit/sandbox';
import { bearer, startTestSandbox, validCreateBody } from '../../../../testkit/sandbox';
import { DISTRIBUTOR_TEMPLATE_ID } from '../../../../testkit/fixtures';

describe('LOA sandbox agreements', () => {
  const START = '2026-03-02T09:00:00.000Z';
  let clock: ManualClock;
  let t: TestSandbox;
  let token: string;

  const create = (body: Record<string, unknown> = validCreateBody(), accessToken = token) =>
    t.api.post<WireAgreement & Partial<ApiErrorAnswer>>(PATHS.agreements, body, bearer(accessToken));

  beforeEach(async () => {
    clock = new ManualClock(Date.parse(START));
    t = await startTestSandbox({ clock });
    token = await t.tokenFor('rep.customer@example.com');
  });

  afterEach(async () => {
    await t.close();
    assert.deepEqual(t.contractFailures, []);
  });

  describe('create', () => {
    it('answers 201 with the agreement, status SENT and the clock time, and keeps the owner to itself', async () => {
      const response = await create();

      assert.equal(response.status, 201);
      const { id, ...rest } = response.data;
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(rest, {
        ...validCreateBody(),
        status: 'SENT',
        createdAt: START,
        updatedAt: START,
      });
      assert.equal('owner' in response.data, false);
      const stored = await t.hooks.agreements();
      assert.deepEqual(stored.map((a) => [a.id, a.owner]), [[id, 'rep.customer@example.com']]);
    });

    it('accepts and returns cc, email overrides and a previous agreement of the same identity', async () => {
      const previous = await create();
      const body = validCreateBody({
        cc: { name: 'Account Manager', email: 'am@se.com' },
        emailSubject: 'Your pricing agreement',
        emailMessage: 'Dear customer,\n\nplease sign.\tThanks',
        previousAgreementId: previous.data.id,
      });

      const response = await create(body);

      assert.equal(response.status, 201);
      assert.deepEqual(response.data.cc, { name: 'Account Manager', email: 'am@se.com' });
      assert.equal(response.data.emailSubject, 'Your pricing agreement');
      assert.equal(response.data.emailMessage, 'Dear customer,\n\nplease sign.\tThanks');
      assert.equal(response.data.previousAgreementId, previous.data.id);
    });

    it('accepts the minimal body of the overview: templateId and signer for a template without required fields', async () => {
      await t.close();
      t = await startTestSandbox({
        catalog: TemplateCatalog.fromJson({
          templates: [{ id: DISTRIBUTOR_TEMPLATE_ID, name: 'Open letter', description: '', fields: [{ name: 'note', label: 'Note', type: 'text' }] }],
        }),
      });
      token = await t.tokenFor('a@example.com');

      const response = await create({ templateId: DISTRIBUTOR_TEMPLATE_ID, signer: { name: 'Signer Example', email: 'example@example.com' } });

      assert.equal(response.status, 201);
      assert.deepEqual(response.data.formData, []);
    });

    it('refuses a body larger than 1 MB with 413 and stores nothing', async () => {
      const response = await create(validCreateBody({ emailMessage: 'x'.repeat(1024 * 1024) }));

      assert.equal(response.status, 413);
      assert.deepEqual(await t.hooks.agreements(), []);
    });
  });

  describe('authentication', () => {
    const unauthenticated: Array<[string, Record<string, string>]> = [
      ['no Authorization header', {}],
      ['an unknown token', { Authorization: 'Bearer made-up-token' }],
      ['another scheme than Bearer', { Authorization: 'Basic dXNlcjpwYXNz' }],
    ];
    for (const [what, headers] of unauthenticated) {
      it(`answers 401 UNAUTHORIZED with a WWW-Authenticate challenge to ${what}, on every agreement operation`, async () => {
        const existing = await create();
        const answers = [
          await t.api.post(PATHS.agreements, validCreateBody(), { headers }),
          await t.api.get(PATHS.agreement(existing.data.id), { headers }),
          await t.api.delete(PATHS.agreement(existing.data.id), { headers }),
        ];

        for (const answer of answers) {
          assert.equal(answer.status, 401);
          assert.equal(answer.data.code, API_ERROR_CODES.unauthorized);
          assert.match(String(answer.headers['www-authenticate']), /^Bearer realm="loa"/);
        }
        assert.deepEqual((await t.hooks.agreements()).map((a) => a.status), ['SENT']);
      });
    }
  });

  describe('get', () => {
    it('answers 200 with the agreement as created', async () => {
      const created = await create();
      const response = await t.api.get<WireAgreement>(PATHS.agreement(created.data.id), bearer(token));
      assert.equal(response.status, 200);
      assert.deepEqual(response.data, created.data);
    });

    it('shows a status change and its time', async () => {
      const created = await create();
      clock.advance(60_000);
      await t.hooks.setStatus(created.data.id, 'SIGNED');

      const response = await t.api.get<WireAgreement>(PATHS.agreement(created.data.id), bearer(token));

      assert.equal(response.data.status, 'SIGNED');
      assert.equal(response.data.createdAt, START);
      assert.equal(response.data.updatedAt, '2026-03-02T09:01:00.000Z');
    });

    it('answers 404 AGREEMENT_NOT_FOUND for an unknown id', async () => {
      const response = await t.api.get(PATHS.agreement('3f1c0000-0000-4000-8000-000000000000'), bearer(token));
      assert.equal(response.status, 404);
      assert.equal(response.data.code, API_ERROR_CODES.notFound);
    });

    it("answers 403 FORBIDDEN for another identity's agreement", async () => {
      const created = await create();
      const otherToken = await t.tokenFor('someone.else@example.com');
      const response = await t.api.get(PATHS.agreement(created.data.id), bearer(otherToken));
      assert.equal(response.status, 403);
      assert.equal(response.data.code, API_ERROR_CODES.forbidden);
    });

    it('answers 405 without an error body when the API is configured to have no GET, and serves it again when switched back on', async () => {
      const created = await create();
      await t.hooks.setCapabilities({ getAgreement: false });

      const absent = await t.api.get(PATHS.agreement(created.data.id), bearer(token));
      assert.equal(absent.status, 405);
      assert.equal(absent.data, '');
      assert.equal(absent.headers.allow, 'DELETE');
      assert.equal((await t.api.delete(PATHS.agreement(created.data.id), bearer(token))).status, 204);

      await t.hooks.setCapabilities({ getAgreement: true });
      assert.equal((await t.api.get(PATHS.agreement(created.data.id), bearer(token))).status, 404);
    });
  });

  describe('delete', () => {
    it('answers 204 without a body, after which the agreement is gone', async () => {
      const created = await create();

      const response = await t.api.delete(PATHS.agreement(created.data.id), bearer(token));

      assert.equal(response.status, 204);
      assert.equal(response.data, '');
      assert.equal((await t.api.get(PATHS.agreement(created.data.id), bearer(token))).status, 404);
      const again = await t.api.delete(PATHS.agreement(created.data.id), bearer(token));
      assert.equal(again.status, 404);
      assert.equal(again.data.code, API_ERROR_CODES.notFound);
    });

    it('answers 404 for an unknown id', async () => {
      const response = await t.api.delete(PATHS.agreement('no-such-agreement'), bearer(token));
      assert.equal(response.status, 404);
      assert.equal(response.data.code, API_ERROR_CODES.notFound);
    });

    it("answers 403 for another identity's agreement and leaves it in place", async () => {
      const created = await create();
      const otherToken = await t.tokenFor('someone.else@example.com');

      const response = await t.api.delete(PATHS.agreement(created.data.id), bearer(otherToken));

      assert.equal(response.status, 403);
      assert.equal(response.data.code, API_ERROR_CODES.forbidden);
      assert.equal((await t.api.get(PATHS.agreement(created.data.id), bearer(token))).status, 200);
    });

    it('no longer accepts a deleted agreement as previousAgreementId', async () => {
      const created = await create();
      await t.api.delete(PATHS.agreement(created.data.id), bearer(token));

      const response = await create(validCreateBody({ previousAgreementId: created.data.id }));

      assert.equal(response.status, 400);
      assert.deepEqual(response.data.details, [{ field: 'previousAgreementId', message: 'does not name an existing agreement of yours' }]);
    });
  });
});
