import { createStateStorage } from '../../bot/teams/stateStorage';
import { itKeepsTheStateStorageContract } from '../helpers/stateStorageContract';

/** Local runs and most tests use memory storage: it must keep the same contract, or tests pass that production would fail. */
describe('memory state storage', () => {
  const state = createStateStorage({ kind: 'memory' });
  itKeepsTheStateStorageContract(() => state);
});
