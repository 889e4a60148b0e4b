/** The tests start Azurite as the bench does: one helper, in testkit/. */
export { startAzurite } from '../../testkit/azurite';
export type { RunningAzurite } from '../../testkit/azurite';
