import { ConversationHarness } from '../../testkit/conversation';
import type { HarnessOptions } from '../../testkit/conversation';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

/** The real bot against its own sandbox for the enclosing `describe`: started before its tests, stopped after. */
export function botWithSandbox(options: HarnessOptions = {}): { readonly h: ConversationHarness; readonly loa: TestSandbox } {
  const running: { h?: ConversationHarness; loa?: TestSandbox } = {};
  before(async () => {
    running.loa = await startTestSandbox();
    running.h = await ConversationHarness.start(running.loa.url, running.loa, options);
  });
  after(async () => {
    await running.h?.stop();
    await running.loa?.close();
  });
  return {
    get h() {
      if (!running.h) throw new Error('The bot is started in a before hook: use it inside a test');
      return running.h;
    },
    get loa() {
      if (!running.loa) throw new Error('The sandbox is started in a before hook: use it inside a test');
      return running.loa;
    },
  };
}
