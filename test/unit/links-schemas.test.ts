/** The pure parts of links shared with the renderer: slugs, expiry, store names, the create input's rules. */
import { describe, expect, it } from 'vitest';
import {
  DIRECT_MAX_SECONDS,
  expiryPresetsFor,
  expiryProblem,
  LinkCreateSchema,
  parseExpiryText,
  ProductSlugSchema,
  resolveExpiry,
  suggestSlug,
  verifierStoreName,
} from '../../src/shared/links/schemas';

const NOW = new Date('2026-12-01T12:00:00.500Z');

describe('suggestSlug', () => {
  it.each([
    ['products/My Plugin v2.ZIP', 'my-plugin-v2'],
    ['Résumé Template.pdf', 'resume-template'],
    ['theme.tar.gz', 'theme'],
    ['__init__.py', 'init'],
    ['日本語.pdf', 'download'],
    ['folder/', 'folder'],
    ['a..b.zip', 'a..b'],
  ])('%s → %s', (name, slug) => {
    expect(suggestSlug(name)).toBe(slug);
    expect(ProductSlugSchema.safeParse(slug).success).toBe(true);
  });

  it('always gives a valid slug of at most 200 characters', () => {
    for (const name of ['-', '...', ' x ', `${'a'.repeat(300)}.zip`, '-_-.zip', 'A&B (final).zip']) {
      const s = suggestSlug(name);
      expect(ProductSlugSchema.safeParse(s).success, `${name} → ${s}`).toBe(true);
    }
  });
});

describe('expiry', () => {
  it('resolves presets, seconds and absolute times to whole seconds', () => {
    expect(resolveExpiry({ type: 'preset', preset: '1h' }, NOW).toISOString()).toBe(
      '2026-12-01T13:00:00.000Z',
    );
    expect(resolveExpiry({ type: 'seconds', seconds: 90 }, NOW).toISOString()).toBe(
      '2026-12-01T12:01:30.000Z',
    );
    expect(resolveExpiry({ type: 'at', at: '2026-12-24T18:00:00.999+01:00' }, NOW).toISOString()).toBe(
      '2026-12-24T17:00:00.000Z',
    );
  });

  it('offers 30 days and 1 year for verifier links only', () => {
    expect(expiryPresetsFor('direct')).toEqual(['15m', '1h', '24h', '7d']);
    expect(expiryPresetsFor('verifier')).toEqual(['15m', '1h', '24h', '7d', '30d', '1y']);
  });

  it('refuses a direct link past 7 days, anything under a minute, and the past', () => {
    const at = (s: number) => new Date(NOW.getTime() + s * 1000);
    expect(expiryProblem('direct', at(DIRECT_MAX_SECONDS), NOW)).toBeNull();
    expect(expiryProblem('direct', at(DIRECT_MAX_SECONDS + 1), NOW)).toMatch(/at most 7 days/);
    expect(expiryProblem('verifier', at(DIRECT_MAX_SECONDS + 1), NOW)).toBeNull();
    expect(expiryProblem('verifier', at(30), NOW)).toMatch(/at least one minute/);
    expect(expiryProblem('verifier', at(-3600), NOW)).toMatch(/at least one minute/);
  });

  it('parses the command line durations and ISO date-times', () => {
    expect(parseExpiryText('90s')).toEqual({ type: 'seconds', seconds: 90 });
    expect(parseExpiryText('15m')).toEqual({ type: 'seconds', seconds: 900 });
    expect(parseExpiryText('7d')).toEqual({ type: 'seconds', seconds: 604800 });
    expect(parseExpiryText('2027-01-01T00:00:00Z')).toEqual({ type: 'at', at: '2027-01-01T00:00:00Z' });
    for (const bad of ['', 'soon', '10s', '1w', '2027-01-01', '2027-13-01T00:00:00Z', '1700000000000']) {
      expect(parseExpiryText(bad), bad).toBeNull();
    }
  });
});

describe('verifierStoreName', () => {
  it('makes a verifier store name of any account name', () => {
    expect(verifierStoreName('Shop Main')).toBe('Shop-Main');
    expect(verifierStoreName('eu-main')).toBe('eu-main');
    expect(verifierStoreName('Café/R2 (prod)')).toBe('Cafe-R2-prod');
    expect(verifierStoreName('***')).toBe('store');
    expect(verifierStoreName('x'.repeat(100))).toHaveLength(64);
    for (const n of ['Shop Main', 'Café/R2 (prod)', '***', ' a ']) {
      expect(verifierStoreName(n)).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    }
  });
});

describe('LinkCreateSchema', () => {
  const base = {
    objectId: 1,
    kind: 'verifier' as const,
    productSlug: 'my-plugin',
    expiry: { type: 'preset' as const, preset: '24h' as const },
  };

  it('fills defaults and keeps a download limit for verifier links', () => {
    expect(LinkCreateSchema.parse({ ...base, maxDownloads: 3 })).toEqual({
      ...base,
      orderId: '',
      email: '',
      note: '',
      maxDownloads: 3,
      filename: '',
    });
  });

  it('refuses a limit on a direct link, a bad slug, email or file name, naming the field', () => {
    const issues = (v: unknown) => LinkCreateSchema.safeParse(v).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ ...base, kind: 'direct', maxDownloads: 3 })).toEqual(['maxDownloads']);
    expect(issues({ ...base, productSlug: 'My Plugin' })).toEqual(['productSlug']);
    expect(issues({ ...base, email: 'nope' })).toEqual(['email']);
    expect(issues({ ...base, filename: 'a/b.zip' })).toEqual(['filename']);
    expect(issues({ ...base, expiry: { type: 'at', at: '2026-12-24 18:00' } })).toEqual(['expiry.at']);
  });
});
