import assert from 'node:assert/strict';
import { recognizeCommand } from '../../bot/flows/commands';
import { actionsOf, readableText } from '../../testkit/cards';
import { botWithSandbox } from '../helpers/botWithSandbox';

describe('commands', () => {
  const bot = botWithSandbox();

  const titles = (card: unknown) => actionsOf(card).map((a) => a.title);

  describe('greetings', () => {
    for (const text of ['hi', 'Hello!', 'hey there', 'good morning', 'Bonjour']) {
      it(`welcomes the rep who says "${text}", with every task as a button`, async () => {
        const { cards } = await bot.h.rep().says(text);
        assert.equal(cards.length, 1);
        const welcome = readableText(cards[0]!);
        assert.match(welcome, /Send Letters of Agreement from Teams/);
        assert.match(welcome, /my LOAs/);
        assert.doesNotMatch(welcome, /didn't catch/);
        assert.deepEqual(titles(cards[0]!), ['Send an LOA', 'My LOAs', 'Help']);
      });
    }

    it('runs each button of the welcome card', async () => {
      const rep = bot.h.rep();
      const welcome = (await rep.says('hi')).cards[0]!;
      assert.match(readableText(await rep.press(welcome, 'Send an LOA')), /choose a template/);
      assert.match(readableText(await rep.press(welcome, 'My LOAs')), /Your LOAs/);
      assert.match(readableText(await rep.press(welcome, 'Help')), /What you can type/);
    });
  });

  describe('near-misses', () => {
    for (const text of ['send loa please', 'send an LOA', 'sned loa', 'Please send a letter of agreement', 'I want to send an LOA']) {
      it(`starts an LOA on "${text}"`, async () => {
        const { cards } = await bot.h.rep().says(text);
        assert.match(readableText(cards[0]!), /choose a template/);
      });
    }

    for (const text of ['my loa', 'my LOAs please', 'show me my loas', 'my laos']) {
      it(`lists the rep's LOAs on "${text}"`, async () => {
        const { cards } = await bot.h.rep().says(text);
        assert.match(readableText(cards[0]!), /Your LOAs/);
      });
    }

    it('asks "Did you mean send LOA?" when the text is further off, and its button starts one', async () => {
      const rep = bot.h.rep();
      const { cards } = await rep.says('snd lao');
      const text = readableText(cards[0]!);
      assert.match(text, /Did you mean \*\*send LOA\*\*\?/);
      assert.doesNotMatch(text, /snd lao/, 'the rep\'s text is not repeated');
      assert.deepEqual(titles(cards[0]!), ['Send an LOA', 'Help']);
      assert.match(readableText(await rep.press(cards[0]!, 'Send an LOA')), /choose a template/);
    });

    it('still answers text it does not understand with help, offering every task', async () => {
      const { cards } = await bot.h.rep().says('what is the weather');
      assert.match(readableText(cards[0]!), /didn't catch that/);
      assert.match(readableText(cards[0]!), /To delete an LOA, open \*\*my LOAs\*\*/);
      assert.deepEqual(titles(cards[0]!), ['Send an LOA', 'My LOAs']);
    });

    for (const text of ["don't send loa yet", 'hi, send loa', 'cancle']) {
      it(`starts nothing on "${text}", which names nothing to send or says not to`, async () => {
        const { cards } = await bot.h.rep().says(text);
        assert.match(readableText(cards[0]!), /didn't catch that/);
      });
    }
  });

  describe('in French', () => {
    const cases: Array<[string, string, string?]> = [
      ['envoyer une LOA', 'sendLoa'],
      ['Envoyer une LOA !', 'sendLoa'],
      ['nouvelle LOA', 'sendLoa'],
      ["créer une lettre d'accord", 'sendLoa'],
      ['nouvelle lettre d’accord', 'sendLoa'],
      ['je voudrais envoyer une LOA svp', 'sendLoa'],
      ['envoier une loa', 'sendLoa'],
      ['mes LOA', 'myLoas'],
      ['afficher mes LOA', 'myLoas'],
      ['mes LOA acme', 'searchLoas', 'acme'],
      ['aide', 'help'],
      ['Aide ?', 'help'],
      ['annuler', 'cancel'],
      ['supprimer LOA 4D3429', 'deleteLoa', '4D3429'],
      ['supprimer la LOA 4d3429', 'deleteLoa', '4d3429'],
      ['suprimer loa 4D3429', 'deleteLoa', '4D3429'],
      ['envoyr lao', 'didYouMean', 'sendLoa'],
    ];
    for (const [text, command, argument] of cases) {
      it(`takes "${text}" for ${command}`, () => {
        const recognized = recognizeCommand(text);
        assert.equal(recognized?.command, command);
        if (argument) assert.equal(recognized?.argument, argument);
      });
    }

    it('still takes "LA" after "my LOAs" for what to search, not for a French word to drop', () => {
      assert.deepEqual(recognizeCommand('my LOAs LA'), { command: 'searchLoas', argument: 'LA' });
    });
  });

  describe('recognizeCommand', () => {
    const cases: Array<[string, string | undefined, string?]> = [
      ['hi', 'greeting'],
      ['hello bot', 'greeting'],
      ['send loa please', 'sendLoa'],
      ['sned loa', 'sendLoa'],
      ['snd lao', 'didYouMean', 'sendLoa'],
      ['new agreement', 'didYouMean', 'sendLoa'],
      ['my loa', 'myLoas'],
      ['hlep', 'help'],
      ['delte loa 4D3429', 'deleteLoa', '4D3429'],
      // No command: left to the sentence reader, which answers these as unknown text.
      ["don't send loa yet", 'sentence'],
      ['hi, send loa', 'sentence'],
      ['what is the weather', 'sentence'],
      ['cancle', 'sentence'],
    ];
    for (const [text, command, argument] of cases) {
      it(`takes "${text}" for ${command ?? 'nothing'}`, () => {
        const recognized = recognizeCommand(text);
        assert.equal(recognized?.command, command);
        if (argument) assert.equal(recognized?.argument, argument);
      });
    }
  });
});
