import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { TemplateCatalog, localizedTemplate } from '../../bot/domain/templateCatalog';

const CATALOG = TemplateCatalog.fromFile(resolve(__dirname, '../../bot/domain/loaTemplates.json'));

const oneTemplate = (labels: unknown) => ({
  templates: [
    {
      id: 't1',
      name: 'Plan',
      description: 'A plan.',
      fields: [{ name: 'level', label: 'Level', type: 'choice', choices: [{ title: 'Basic', value: 'B' }] }],
      labels,
    },
  ],
});

describe('template labels per language', () => {
  it('gives every sample template a French name, description, and label for each field and choice', () => {
    for (const template of CATALOG.templates) {
      const french = template.labels?.fr;
      assert.ok(french?.name && french.description, `${template.name} has a French name and description`);
      for (const field of template.fields) {
        assert.ok(french.fields?.[field.name]?.label, `${template.name}: ${field.name} has a French label`);
        for (const choice of field.choices ?? []) assert.ok(french.fields?.[field.name]?.choices?.[choice.value], `${template.name}: ${field.name}=${choice.value} has a French title`);
        if (field.patternHint) assert.ok(french.fields?.[field.name]?.patternHint, `${template.name}: ${field.name} has a French pattern hint`);
      }
    }
  });

  it('reads the French words for a French rep, and keeps names, values, aliases and rules', () => {
    const template = CATALOG.templates[0]!;
    const french = localizedTemplate(template, 'fr-CA');
    assert.equal(french.name, 'Accord de prix distributeur');
    assert.equal(french.id, template.id);
    const range = french.fields.find((f) => f.name === 'productRange')!;
    assert.deepEqual(range.choices?.map((c) => [c.value, c.title]), [['LV', 'Basse tension (Acti9, ComPacT)'], ['MV', 'Moyenne tension (SM AirSeT)'], ['IA', 'Automatismes industriels (Modicon)'], ['SP', 'Énergie sécurisée (APC)']]);
    assert.deepEqual(range.choices?.[0]?.aliases, template.fields.find((f) => f.name === 'productRange')!.choices?.[0]?.aliases);
    const account = french.fields.find((f) => f.name === 'accountNumber')!;
    assert.deepEqual([account.label, account.patternHint, account.pattern], ['Numéro de compte SE', '6 à 10 chiffres', '^[0-9]{6,10}$']);
  });

  it('keeps the words as written for a language the template has none for', () => {
    const template = CATALOG.templates[0]!;
    assert.equal(localizedTemplate(template, 'de-DE'), template);
    assert.equal(localizedTemplate(template, 'en-US'), template);
    assert.equal(localizedTemplate(template, undefined), template);
  });

  it('falls back field by field: what a language does not label stays as written', () => {
    const catalog = TemplateCatalog.fromJson(oneTemplate({ fr: { name: 'Contrat' } }));
    const french = localizedTemplate(catalog.templates[0]!, 'fr-FR');
    assert.deepEqual([french.name, french.description, french.fields[0]?.label, french.fields[0]?.choices?.[0]?.title], ['Contrat', 'A plan.', 'Level', 'Basic']);
  });

  it('refuses labels for a field or choice the template does not have, or an unknown key, saying where', () => {
    assert.throws(() => TemplateCatalog.fromJson(oneTemplate({ fr: { fields: { tier: { label: 'Niveau' } } } })), /templates\.0\.labels\.fr\.fields\.tier: labels a field tier/);
    assert.throws(() => TemplateCatalog.fromJson(oneTemplate({ fr: { fields: { level: { choices: { X: 'Autre' } } } } })), /labels a choice X that level does not offer/);
    assert.throws(() => TemplateCatalog.fromJson(oneTemplate({ fr: { titel: 'Plan' } })), /templates\.0\.labels\.fr/);
    assert.throws(() => TemplateCatalog.fromJson(oneTemplate({ French: { name: 'Plan' } })), /templates\.0\.labels\.French/);
  });
});
