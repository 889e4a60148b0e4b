import assert from 'node:assert/strict';
import axios from 'axios';
import { loadSandboxConfig } from '../../../../bot/config';
import { tokenRequestForm } from '../../../../bot/loa/contract';
import { startLocalLoaApi } from '../../../../deploy/local/sandbox/localLoaApi';

/** Whether the sandbox at `url` hands an impersonation token to these credentials. */
async function issuesTokenTo(url: string, clientId: string, clientSecret: string): Promise<boolean> {
  const { path, form } = tokenRequestForm({ type: 'user_token', email: 'rep@example.com' }, clientId, clientSecret);
  const answer = await axios.post(`${url}${path}`, form, { validateStatus: () => true });
  return answer.status === 200;
}

describe('starting the local LOA API', () => {
  it('takes the sandbox config\'s defaults, so npm start, npm run sandbox and npm run dev accept the same client', async () => {
    const api = await startLocalLoaApi({ port: 0 });
    try {
      const defaults = loadSandboxConfig({});
      assert.deepEqual([api.clientId, api.clientSecret], [defaults.clientId, defaults.clientSecret]);
      assert.ok(await issuesTokenTo(api.url, api.clientId, api.clientSecret));
    } finally {
      await api.close();
    }
  });

  it('takes the settings it is given, and options over those', async () => {
    const config = loadSandboxConfig({ NODE_ENV: 'test', LOA_SANDBOX_PORT: '0', LOA_CLIENT_ID: 'from-env', LOA_CLIENT_SECRET: 'env-secret' });
    const api = await startLocalLoaApi({ config, clientSecret: 'given-secret' });
    try {
      assert.deepEqual([api.clientId, api.clientSecret], ['from-env', 'given-secret']);
      assert.ok(await issuesTokenTo(api.url, 'from-env', 'given-secret'));
      assert.equal(await issuesTokenTo(api.url, 'from-env', 'env-secret'), false);
    } finally {
      await api.close();
    }
  });

  it('applies the fault plan of LOA_SANDBOX_FAULTS, and refuses an invalid one', async () => {
    const api = await startLocalLoaApi({ config: loadSandboxConfig({ NODE_ENV: 'test', LOA_SANDBOX_PORT: '0', LOA_SANDBOX_FAULTS: '{"token":{"rates":{"503":1}}}' }) });
    try {
      assert.equal(await issuesTokenTo(api.url, api.clientId, api.clientSecret), false);
    } finally {
      await api.close();
    }
    const invalid = loadSandboxConfig({ LOA_SANDBOX_FAULTS: '{"create":{"next":["teapot"]}}' });
    await assert.rejects(startLocalLoaApi({ config: invalid, port: 0 }), /fault plan in LOA_SANDBOX_FAULTS is invalid/);
  });
});
