import assert from 'node:assert/strict';
import { API_ERROR_CODES, PATHS } from '../../../../bot/loa/contract';
import type { FieldProblem } from '../../../../bot/loa/contract';
import type { TestSandbox } from '../../../../testkit/sandbox';
import { bearer, startTestSandbox, validCreateBody } from '../../../../testkit/sandbox';

const SERVICE_PLAN_TEMPLATE_ID = 'b3d9e0a2-7c4f-4e8b-a1d6-0f2e9c8b7a65';
const SPECIAL_BID_TEMPLATE_ID = '6c0c1f8e-3f0e-4a39-9d2b-5f1d2a7b9e41';

/** The valid body with one form value replaced (or removed, when value is undefined). */
function withFormValue(name: string, value: string | undefined): Record<string, unknown> {
  const formData = (validCreateBody().formData as Array<{ name: string; value: string }>).filter((f) => f.name !== name);
  return validCreateBody({ formData: value === undefined ? formData : [...formData, { name, value }] });
}

function specialBidBody(contractorEmail: string): Record<string, unknown> {
  return validCreateBody({
    templateId: SPECIAL_BID_TEMPLATE_ID,
    formData: [
      { name: 'projectName', value: 'Hospital extension' },
      { name: 'endUserSite', value: '1 Rue de la Paix\nParis' },
      { name: 'quoteReference', value: 'Q-2026-00123' },
      { name: 'totalValueEur', value: '250000' },
      { name: 'validUntil', value: '2026-12-31' },
      { name: 'contractorEmail', value: contractorEmail },
    ],
  });
}

describe('LOA sandbox create validation', () => {
  let t: TestSandbox;
  let token: string;

  const create = (body: unknown, headers: Record<string, string> = {}) =>
    t.api.post<{ code: string; message: string; details: FieldProblem[] }>(PATHS.agreements, body, {
      headers: { 'Content-Type': 'application/json', ...bearer(token).headers, ...headers },
      // Sends strings as they are, so that malformed JSON reaches the sandbox.
      transformRequest: [(data: unknown) => (typeof data === 'string' ? data : JSON.stringify(data))],
    });

  beforeEach(async () => {
    t = await startTestSandbox();
    token = await t.tokenFor('rep.customer@example.com');
  });

  afterEach(async () => {
    await t.close();
    assert.deepEqual(t.contractFailures, []);
  });

  const name201 = 'N'.repeat(201);
  const emails21 = Array.from({ length: 21 }, (_, i) => `watcher${i}@se.com`);
  const cases: Array<{ refuses: string; body: () => Record<string, unknown>; field: string; message: RegExp }> = [
    { refuses: 'a missing templateId', body: () => validCreateBody({ templateId: undefined }), field: 'templateId', message: /required/ },
    { refuses: 'an unknown templateId', body: () => validCreateBody({ templateId: 'no-such-template' }), field: 'templateId', message: /not a known template/ },
    { refuses: 'a missing signer', body: () => validCreateBody({ signer: undefined }), field: 'signer', message: /required/ },
    { refuses: 'a signer that is not an object', body: () => validCreateBody({ signer: 'Signer Example' }), field: 'signer', message: /object/ },
    { refuses: 'a blank signer name', body: () => validCreateBody({ signer: { name: '  ', email: 'example@example.com' } }), field: 'signer.name', message: /required/ },
    { refuses: 'a signer name over 200 characters', body: () => validCreateBody({ signer: { name: name201, email: 'example@example.com' } }), field: 'signer.name', message: /200/ },
    { refuses: 'a signer name with a control character', body: () => validCreateBody({ signer: { name: 'Signer\u0007', email: 'example@example.com' } }), field: 'signer.name', message: /control/ },
    { refuses: 'a signer name with a line break', body: () => validCreateBody({ signer: { name: 'Signer\nExample', email: 'example@example.com' } }), field: 'signer.name', message: /control/ },
    { refuses: 'a missing signer email', body: () => validCreateBody({ signer: { name: 'Signer Example' } }), field: 'signer.email', message: /required/ },
    { refuses: 'a signer email that is not an address', body: () => validCreateBody({ signer: { name: 'Signer Example', email: 'example.com' } }), field: 'signer.email', message: /valid email/ },
    { refuses: 'a signer email over 254 characters', body: () => validCreateBody({ signer: { name: 'Signer Example', email: `${'a'.repeat(64)}@${'b'.repeat(190)}.com` } }), field: 'signer.email', message: /254/ },
    { refuses: 'a cc without a name', body: () => validCreateBody({ cc: { email: 'cc@example.com' } }), field: 'cc.name', message: /required/ },
    { refuses: 'a cc with an invalid email', body: () => validCreateBody({ cc: { name: 'Copy', email: 'cc@' } }), field: 'cc.email', message: /valid email/ },
    { refuses: 'formData that is not an array', body: () => validCreateBody({ formData: { customerName: 'Acme' } }), field: 'formData', message: /array/ },
    { refuses: 'a formData item without a name', body: () => validCreateBody({ formData: [{ value: 'x' }] }), field: 'formData', message: /item 1/ },
    { refuses: 'a form field the template does not have', body: () => withFormValue('colour', 'blue'), field: 'formData.colour', message: /not a field of template/ },
    { refuses: 'a form value that is not a string', body: () => validCreateBody({ formData: [{ name: 'customerName', value: 42 }] }), field: 'formData.customerName', message: /string/ },
    { refuses: 'a form field given twice', body: () => validCreateBody({ formData: [...(validCreateBody().formData as unknown[]), { name: 'customerName', value: 'Again' }] }), field: 'formData.customerName', message: /more than once/ },
    { refuses: 'a missing required form field', body: () => withFormValue('customerName', undefined), field: 'formData.customerName', message: /required/ },
    { refuses: 'a blank required form field', body: () => withFormValue('customerName', ' '), field: 'formData.customerName', message: /required/ },
    { refuses: 'a form value longer than the field allows', body: () => withFormValue('customerName', 'C'.repeat(121)), field: 'formData.customerName', message: /at most 120/ },
    { refuses: 'a form value with a control character', body: () => withFormValue('customerName', 'Acme\u0000'), field: 'formData.customerName', message: /control/ },
    { refuses: 'a choice that is not among the choices', body: () => withFormValue('productRange', 'HV'), field: 'formData.productRange', message: /one of LV, MV, IA, SP/ },
    { refuses: 'a number field that is not a number', body: () => withFormValue('discountPercent', 'ten'), field: 'formData.discountPercent', message: /number/ },
    { refuses: 'a number above the maximum', body: () => withFormValue('discountPercent', '60.5'), field: 'formData.discountPercent', message: /at most 60/ },
    { refuses: 'a number below the minimum', body: () => withFormValue('discountPercent', '-1'), field: 'formData.discountPercent', message: /at least 0/ },
    { refuses: 'a date not in the form YYYY-MM-DD', body: () => withFormValue('startDate', '01/04/2026'), field: 'formData.startDate', message: /YYYY-MM-DD/ },
    { refuses: 'a date that does not exist', body: () => withFormValue('startDate', '2026-02-30'), field: 'formData.startDate', message: /YYYY-MM-DD/ },
    { refuses: 'a value that does not match the field pattern', body: () => withFormValue('accountNumber', '12AB'), field: 'formData.accountNumber', message: /6 to 10 digits/ },
    { refuses: 'an email field that is not an address', body: () => specialBidBody('contractor at example.com'), field: 'formData.contractorEmail', message: /valid email/ },
    { refuses: 'a notification without isEnabled', body: () => validCreateBody({ notification: { emails: [] } }), field: 'notification.isEnabled', message: /true or false/ },
    { refuses: 'notification emails that are not an array', body: () => validCreateBody({ notification: { isEnabled: true, emails: 'a@se.com' } }), field: 'notification.emails', message: /array/ },
    { refuses: 'an invalid notification email', body: () => validCreateBody({ notification: { isEnabled: true, emails: ['ok@se.com', 'not-an-email'] } }), field: 'notification.emails', message: /item 2/ },
    { refuses: 'more than 20 notification emails', body: () => validCreateBody({ notification: { isEnabled: true, emails: emails21 } }), field: 'notification.emails', message: /at most 20/ },
    { refuses: 'an emailSubject over 200 characters', body: () => validCreateBody({ emailSubject: 'S'.repeat(201) }), field: 'emailSubject', message: /200/ },
    { refuses: 'an emailSubject with a line break', body: () => validCreateBody({ emailSubject: 'Subject\r\nBcc: x@example.com' }), field: 'emailSubject', message: /control/ },
    { refuses: 'an emailMessage over 5000 characters', body: () => validCreateBody({ emailMessage: 'M'.repeat(5001) }), field: 'emailMessage', message: /5000/ },
    { refuses: 'an emailMessage with a control character', body: () => validCreateBody({ emailMessage: 'Hello\u001b[31m' }), field: 'emailMessage', message: /control/ },
    { refuses: 'an unknown previousAgreementId', body: () => validCreateBody({ previousAgreementId: 'no-such-agreement' }), field: 'previousAgreementId', message: /existing agreement/ },
    { refuses: 'an unknown top-level field', body: () => validCreateBody({ formdata: [] }), field: 'formdata', message: /not a known field/ },
  ];

  for (const { refuses, body, field, message } of cases) {
    it(`refuses ${refuses} with 400 VALIDATION_ERROR naming ${field}`, async () => {
      const response = await create(body());

      assert.equal(response.status, 400);
      assert.equal(response.data.code, API_ERROR_CODES.validation);
      const problem = response.data.details.find((d) => d.field === field);
      assert.ok(problem, `no detail for ${field} in ${JSON.stringify(response.data.details)}`);
      assert.match(problem.message, message);
      assert.deepEqual(await t.hooks.agreements(), []);
    });
  }

  it('lists every problem at once', async () => {
    const response = await create({
      templateId: 'b3d9e0a2-7c4f-4e8b-a1d6-0f2e9c8b7a65',
      signer: { name: '', email: 'nope' },
      cc: { name: 'Copy', email: 'also nope' },
      formData: [{ name: 'planLevel', value: 'GOLD' }],
      emailSubject: 'S'.repeat(201),
    });

    assert.equal(response.status, 400);
    assert.deepEqual(response.data.details.map((d) => d.field).sort(), [
      'cc.email',
      'emailSubject',
      'formData.assetCount',
      'formData.customerName',
      'formData.planLevel',
      'formData.siteContactEmail',
      'formData.startDate',
      'signer.email',
      'signer.name',
    ]);
  });

  it('refuses an agreement of another identity as previousAgreementId, as if it did not exist', async () => {
    const theirs = await t.api.post<{ id: string }>(PATHS.agreements, validCreateBody(), bearer(await t.tokenFor('other@example.com')));

    const response = await create(validCreateBody({ previousAgreementId: theirs.data.id }));

    assert.equal(response.status, 400);
    assert.deepEqual(response.data.details, [{ field: 'previousAgreementId', message: 'does not name an existing agreement of yours' }]);
  });

  it('refuses malformed JSON with 400 VALIDATION_ERROR', async () => {
    const response = await create('{"templateId": ', { 'Content-Type': 'application/json' });
    assert.equal(response.status, 400);
    assert.equal(response.data.code, API_ERROR_CODES.validation);
  });

  it('refuses a JSON body that is not an object', async () => {
    const response = await create([validCreateBody()]);
    assert.equal(response.status, 400);
    assert.deepEqual(response.data.details, [{ field: 'body', message: 'must be a JSON object' }]);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await create('templateId=x', { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.equal(response.status, 400);
    assert.equal(response.data.code, API_ERROR_CODES.validation);
  });

  it('accepts values exactly at their limits, blank optional fields and line breaks in multi-line values', async () => {
    const response = await create(
      validCreateBody({
        templateId: SERVICE_PLAN_TEMPLATE_ID,
        signer: { name: 'N'.repeat(200), email: 'signer@example.com' },
        formData: [
          { name: 'customerName', value: 'C'.repeat(120) },
          { name: 'planLevel', value: 'PREMIUM' },
          { name: 'assetCount', value: '10000' },
          { name: 'startDate', value: '2028-02-29' },
          { name: 'siteContactEmail', value: 'site@example.com' },
          { name: 'notes', value: '' },
        ],
        notification: { isEnabled: false, emails: emails21.slice(0, 20) },
        emailSubject: 'S'.repeat(200),
        emailMessage: `${'M'.repeat(4990)}\r\n\tEnd.`,
      }),
    );

    assert.equal(response.status, 201, JSON.stringify(response.data));
  });

  it('accepts a valid email form field and line breaks in a multi-line field', async () => {
    const response = await create(specialBidBody('contractor@example.com'));
    assert.equal(response.status, 201, JSON.stringify(response.data));
  });
});
