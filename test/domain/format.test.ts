import assert from 'node:assert/strict';
import { formatDate, formatNumber } from '../../bot/domain/format';

/** Intl separates with no-break spaces; they read as spaces. */
const spaced = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('formatting for the rep\'s locale', () => {
  it('writes a date as the Teams date picker does', () => {
    assert.equal(formatDate('2026-12-01', 'en-US'), 'December 1, 2026');
    assert.equal(formatDate('2026-12-01', 'fr-FR'), '1 décembre 2026');
    assert.equal(formatDate('2026-12-01', 'de-DE'), '1. Dezember 2026');
  });

  it('groups digits and keeps every decimal typed', () => {
    assert.equal(formatNumber('250000', 'en-US'), '250,000');
    assert.equal(spaced(formatNumber('250000', 'fr-FR')), '250 000');
    assert.equal(formatNumber('12.50', 'fr-FR'), '12,50');
    assert.equal(formatNumber(60, 'en-US'), '60');
    assert.equal(formatNumber('-1', 'en-US'), '-1');
    assert.equal(formatNumber('12345678901234567890.123', 'en-US'), '12,345,678,901,234,567,890.123', 'no rounding through a double');
  });

  it('shows odd input as typed and never throws', () => {
    for (const odd of ['', 'twelve', '2026-02-30', '2026-13-01', '1e21', '12,5', ' ', '\u0000', '9'.repeat(400)]) {
      assert.equal(formatDate(odd, 'en-US'), odd);
      if (odd !== '9'.repeat(400)) assert.equal(formatNumber(odd, 'en-US'), odd);
    }
    assert.equal(formatNumber(Number.NaN, 'en-US'), 'NaN');
    assert.equal(formatNumber(Infinity, 'en-US'), 'Infinity');
    assert.doesNotThrow(() => formatNumber('9'.repeat(400), 'en-US'));
  });

  it('falls back to en-US for a locale Intl does not know', () => {
    assert.equal(formatDate('2026-12-01', 'not a locale'), 'December 1, 2026');
    assert.equal(formatNumber('250000', ''), '250,000');
  });
});
