import type { Logger } from 'pino';
import { describeError } from '../logger';
import { sleep } from './clock';

/** How long a write that must not be lost keeps being tried after storage failed it. */
const KEEP_TRYING_MS = 15 * 60_000;

/**
 * A write that records something irreversible (an agreement the API created, a delete it
 * did): tried now, and if storage fails it, tried again in the background with backoff until
 * storage is back, so the rep's answer does not wait for storage. `what` names it in the log.
 */
export async function writeEventually(write: () => Promise<unknown>, log: Logger, what: Record<string, unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    log.warn({ err: describeError(err), ...what }, 'Storage failed a write that must not be lost; trying again in the background');
    void keepTrying(write, log, what);
  }
}

async function keepTrying(write: () => Promise<unknown>, log: Logger, what: Record<string, unknown>): Promise<void> {
  const giveUpAt = Date.now() + KEEP_TRYING_MS;
  for (let delayMs = 500; Date.now() < giveUpAt; delayMs = Math.min(delayMs * 2, 30_000)) {
    await sleep(delayMs);
    try {
      await write();
      log.info(what, 'Storage took the write it had failed');
      return;
    } catch (err) {
      log.warn({ err: describeError(err), ...what }, 'Storage still fails a write that must not be lost');
    }
  }
  log.error({ ...what, operatorError: true }, 'Gave up a write that must not be lost: storage failed it for 15 minutes, so the bot\'s records miss what the LOA service did');
}
