import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** Azurite's well-known development account; not a secret. */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  connectionString: string;
  stop(): Promise<void>;
}

/** Starts the Azure Storage emulator (blob service, in memory) on a free loopback port, for the tests and the bench. */
export async function startAzurite(): Promise<RunningAzurite> {
  const bin = resolve(__dirname, '../node_modules/.bin/azurite-blob');
  const child: ChildProcess = spawn(bin, ['--inMemoryPersistence', '--blobHost', '127.0.0.1', '--blobPort', '0', '--silent', '--skipApiVersionCheck', '--loose', '--disableTelemetry'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 20 s: ${seen}`)), 20_000);
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${code}: ${seen}`));
    });
  });
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
