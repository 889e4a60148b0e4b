import { randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpsServer } from '@vercel/cosmosdb-server';

export interface RunningCosmosDb {
  endpoint: string;
  key: string;
  /**
   * Accepts the server's self-signed certificate. Only the test's Cosmos DB clients get it
   * (StateStorageOptions.cosmosAgent); nothing else in the process stops checking certificates.
   */
  agent: Agent;
  stop(): Promise<void>;
}

/**
 * Starts a Cosmos DB server (@vercel/cosmosdb-server: the SQL API over HTTPS, in memory) in
 * this process on a free loopback port. It answers 409 to a create of an existing id and
 * 412 to a write whose If-Match is not the item's current _etag, as Cosmos DB does.
 */
export async function startCosmosDb(): Promise<RunningCosmosDb> {
  const server = createHttpsServer({ keepAlive: true });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', () => listening());
  });
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
  return {
    endpoint: `https://127.0.0.1:${port}/`,
    // The server accepts any key; a random one keeps secret scanners from matching a known one.
    key: randomBytes(32).toString('base64'),
    agent,
    stop: () =>
      new Promise<void>((done) => {
        agent.destroy();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
