import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = resolve(__dirname, '../..');

/** Each layer, and imports it must not make: `npm run lint` fails on every one of them. */
const LAYERS: Array<{ dir: string; forbidden: string[]; allowed: string[] }> = [
  { dir: 'bot/domain', forbidden: ['botbuilder', '../loa/loaClient', '../teams/loaBot', '../flows/index', '../../cards/verbs', '../storage/blobKeyValueStore', '../auth/onBehalfOf'], allowed: ['./clock'] },
  { dir: 'bot/flows', forbidden: ['botbuilder', '../loa/loaClient', '../teams/loaBot', '../storage/blobKeyValueStore', '../auth/onBehalfOf'], allowed: ['../domain/loaService', '../../cards/verbs'] },
  { dir: 'bot/loa', forbidden: ['botbuilder', '../teams/loaBot', '../flows/index', '../../cards/verbs', '../storage/blobKeyValueStore'], allowed: ['../domain/loaService', '../auth/onBehalfOf'] },
  { dir: 'bot/auth', forbidden: ['botbuilder', '../teams/loaBot', '../flows/index', '../../cards/verbs', '../loa/loaClient', '../storage/blobKeyValueStore'], allowed: ['../domain/clock'] },
  { dir: 'bot/storage', forbidden: ['botbuilder', '../teams/loaBot', '../flows/index', '../../cards/verbs', '../loa/loaClient', '../auth/onBehalfOf'], allowed: ['../domain/keyValueStore', '@azure/storage-blob'] },
  { dir: 'bot/i18n', forbidden: ['botbuilder', '../domain/draft', '../flows/index', '../../../cards/verbs', '../loa/loaClient'], allowed: ['i18next'] },
  { dir: 'cards', forbidden: ['botbuilder', '../bot/teams/loaBot', '../bot/flows/index', '../bot/loa/loaClient', '../bot/storage/blobKeyValueStore', '../bot/auth/onBehalfOf'], allowed: ['../bot/domain/draft'] },
];

describe('layer boundaries', function () {
  // ESLint builds the TypeScript program once for all probes.
  this.timeout(120_000);

  it('fails lint on each forbidden import in each layer, and only on those', async () => {
    const probes = LAYERS.map((layer) => ({ ...layer, file: resolve(ROOT, layer.dir, '__boundaryProbe.ts') }));
    try {
      for (const probe of probes) writeFileSync(probe.file, [...probe.forbidden, ...probe.allowed].map((from) => `import '${from}';\n`).join(''));
      const results = await new ESLint({ cwd: ROOT }).lintFiles(probes.map((p) => p.file));
      for (const probe of probes) {
        const flagged = results.find((r) => r.filePath === probe.file)!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
        const lines = flagged.map((m) => m.line).sort((a, b) => a - b);
        assert.deepEqual(lines, probe.forbidden.map((_, i) => i + 1), `${probe.dir}: flagged lines ${lines.join(', ')} of ${probe.forbidden.length} forbidden imports`);
      }
    } finally {
      for (const probe of probes) rmSync(probe.file, { force: true });
    }
  });
});
