/**
 * The main flow for a rep whose Teams speaks French: Agents Playground sends the activity
 * locale fr-FR, as Teams sends the client's, and the bot answers in French.
 */
import assert from 'node:assert/strict';
import { playgroundSuite } from './playgroundSession';

describe('Agents Playground, in French', () => {
  const session = playgroundSuite({ open: true, locale: 'fr-FR' });

  it('reads a typed date the French way: 1/2/2027 is the first of February', async () => {
    await session().say('send the distributor pricing LOA to Jane Doe jane@acme.example from 1/2/2027 to 30/11/2027');
    const details = session().card('1/2/2027');
    await details.waitFor();
    assert.match(await details.innerText(), /"1\/2\/2027" read as 1 February 2027/);
  });
});
