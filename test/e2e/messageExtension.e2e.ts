/**
 * The message extension in Agents Playground, from a group chat: "Send an LOA" takes the
 * dialog from template to a sent LOA and inserts the read-only status card; "LOAs" finds it.
 * The Playground (0.2.28) has no message "…" menu, so the dialog is opened from the compose box.
 */
import assert from 'node:assert/strict';
import { DISTRIBUTOR_VALUES, playgroundSuite } from './playgroundSession';

describe('Agents Playground, the message extension', () => {
  const session = playgroundSuite({ open: true });

  it('sends an LOA from a dialog in a group chat and shares a read-only status card there', async () => {
    const page = session().page;
    await page.getByText('Group Chat', { exact: true }).first().click();
    await page.getByRole('button', { name: /Message Extension/i }).first().click();
    await page.getByText('Action Command').click();
    await page.getByPlaceholder('Input command id or leave blanks').fill('sendLoa');
    await page.getByRole('button', { name: 'Create' }).click();
    const dialog = page.locator('[role="dialog"]').last();
    await dialog.getByText('Distributor pricing agreement').waitFor();
    await dialog.getByRole('button', { name: 'Use this template' }).first().click();
    await dialog.getByText('Step 2 of 3').waitFor();
    await session().fillDistributorDetails(dialog, DISTRIBUTOR_VALUES);
    await dialog.getByRole('button', { name: 'Review' }).click();
    const send = dialog.getByRole('button', { name: 'Send', exact: true });
    await send.waitFor();
    await session().screenshot('me-review', dialog, 'me-dialog');
    await send.click();
    await dialog.getByText('LOA sent to Jane Doe').waitFor();
    await session().screenshot('me-sent', dialog);
    assert.match(await dialog.innerText(), /Insert a status card into this conversation\?/);

    await dialog.getByRole('button', { name: 'Insert status card' }).click();
    const status = session().card('Shared from the LOA app');
    await status.waitFor();
    const text = await status.innerText();
    assert.match(text, /LOA sent to Jane Doe/);
    assert.match(text, /Acme Industrial \(Europe\) S\.A\./);
    assert.doesNotMatch(text, /jane\.doe@customer\.example/, 'no email in what the group chat sees');
    assert.equal(await status.getByRole('button').count(), 0, 'nothing anyone can press');
    // Sent as the rep's own message: the group chat sees the card and nothing else.
    await page.getByRole('button', { name: 'Send Message' }).click();
    const posted = page.locator('.ac-adaptiveCard', { hasText: 'Shared from the LOA app' }).first();
    await posted.waitFor();
    await session().screenshot('me-status-card', posted, 'me-status-card');
    const ref = /Ref\s+([0-9A-F]{6})/.exec(text)?.[1];
    assert.ok(ref, text);
  });

  it('finds the LOA with the search command, and only the rep\'s own', async () => {
    const page = session().page;
    await page.getByRole('button', { name: /Message Extension/i }).first().click();
    await page.getByText('Search Command').click();
    await page.getByText('Specify Command ID or Parameter').click();
    await page.getByRole('textbox', { name: 'Command ID' }).fill('searchLoas');
    await page.getByRole('textbox', { name: 'Parameter name' }).fill('query');
    await page.getByPlaceholder('Enter a search term').fill('acme');
    const result = page.getByText('Acme Industrial (Europe) S.A. · Jane Doe');
    await result.waitFor();
    const panel = page.locator('div', { has: page.getByPlaceholder('Enter a search term') }).filter({ hasText: 'Search-Based Message Extension' }).last();
    await session().screenshot('me-search', panel, 'me-search');
    assert.match(await panel.innerText(), /Distributor pricing agreement · Sent: waiting for the signer · sent /);
    await page.getByPlaceholder('Enter a search term').fill('zebra kitchens');
    await page.getByText("We didn't find any matches.").waitFor();
  });
});
