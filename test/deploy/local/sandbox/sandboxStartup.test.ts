import assert from 'node:assert/strict';
import { startSandbox } from '../../../../deploy/local/sandbox/sandboxServer';
import type { FaultPlan } from '../../../../deploy/local/sandbox/faults';
import { BUNDLED_CATALOG } from '../../../../testkit/sandbox';

describe('LOA sandbox startup', () => {
  const options = { port: 0, clientId: 'client', clientSecret: 'secret', catalog: BUNDLED_CATALOG, tokenTtlS: 60 };

  it('listens on a free port of 127.0.0.1 and gives its URL without a trailing slash', async () => {
    const first = await startSandbox(options);
    const second = await startSandbox(options);
    try {
      assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(first.url, `http://127.0.0.1:${first.port}`);
      assert.notEqual(first.port, second.port);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('can be closed twice', async () => {
    const sandbox = await startSandbox(options);
    await sandbox.close();
    await sandbox.close();
  });

  it('refuses to start with invalid options, naming every problem', async () => {
    await assert.rejects(startSandbox({ ...options, port: -1, clientSecret: '', tokenTtlS: 0 }), (err: Error) => {
      assert.match(err.message, /port/);
      assert.match(err.message, /tokenTtlS/);
      assert.match(err.message, /clientSecret/);
      return true;
    });
  });

  it('refuses to start with an invalid fault plan', async () => {
    const faults = { create: { next: ['teapot'] } } as unknown as FaultPlan;
    await assert.rejects(startSandbox({ ...options, faults }), /create\.next\.0/);
  });
});
