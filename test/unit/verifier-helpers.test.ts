/**
 * The verifier's small pure parts: command line, admin token check, URL allow-list, saved file
 * names, error pages and the metrics format.
 */
import { describe, expect, it } from 'vitest';

import { createBearerCheck } from '../../src/verifier/admin';
import { parseCliArgs, UsageError } from '../../src/verifier/args';
import {
  asciiFallback,
  attachmentDisposition,
  baseName,
  cleanFilename,
} from '../../src/verifier/http/content-disposition';
import { escapeHtml, renderErrorPage } from '../../src/verifier/http/error-page';
import {
  DURATION_BUCKETS,
  emptySnapshot,
  mergeSnapshots,
  Metrics,
  renderPrometheus,
} from '../../src/verifier/metrics';
import { allowedRedirect } from '../../src/verifier/sources/url';

describe('command line', () => {
  it('reads the config path, worker count and log level, with environment fallbacks', () => {
    expect(parseCliArgs(['--config', 'a.json', '--workers', '3', '--log-level', 'error'], {})).toEqual({
      help: false,
      config: 'a.json',
      workers: 3,
      logLevel: 'error',
    });
    expect(parseCliArgs(['-c', 'a.json', '-q'], {}).logLevel).toBe('warn');
    const env = {
      SIGNET_VERIFIER_CONFIG: 'b.json',
      SIGNET_VERIFIER_WORKERS: '2',
      SIGNET_VERIFIER_LOG_LEVEL: 'silent',
    };
    expect(parseCliArgs([], env)).toEqual({ help: false, config: 'b.json', workers: 2, logLevel: 'silent' });
    expect(parseCliArgs(['--config', 'a.json'], {}).workers).toBeGreaterThanOrEqual(1);
  });

  it('refuses what it does not understand', () => {
    for (const argv of [
      [],
      ['--config', 'a', '--workers', 'two'],
      ['--config', 'a', '--workers', '65'],
      ['--config', 'a', 'extra'],
    ]) {
      expect(() => parseCliArgs(argv, {}), argv.join(' ')).toThrow(UsageError);
    }
  });
});

describe('admin bearer check', () => {
  const check = createBearerCheck('correct-horse-battery-staple-0123456789');
  it('accepts exactly the configured token with the Bearer scheme', () => {
    expect(check('Bearer correct-horse-battery-staple-0123456789')).toBe(true);
    expect(check('bearer correct-horse-battery-staple-0123456789')).toBe(true);
  });
  it('refuses anything else', () => {
    for (const h of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Bearer correct-horse-battery-staple-012345678',
      'Bearer correct-horse-battery-staple-01234567890',
      'Basic correct-horse-battery-staple-0123456789',
      'Bearer correct-horse-battery-staple-0123456789 extra',
      'correct-horse-battery-staple-0123456789',
    ]) {
      expect(check(h), String(h)).toBe(false);
    }
  });
});

describe('URL allow-list', () => {
  const hosts = new Set(['cdn.example.com', 'dl.example.com:8443']);
  it('allows https URLs on listed hosts, normalized', () => {
    expect(allowedRedirect('https://CDN.example.com/a.zip', hosts)).toBe('https://cdn.example.com/a.zip');
    expect(allowedRedirect('https://cdn.example.com:443/a', hosts)).toBe('https://cdn.example.com/a');
    expect(allowedRedirect('https://dl.example.com:8443/a', hosts)).toBe('https://dl.example.com:8443/a');
  });
  it('refuses other schemes, hosts, ports and user info', () => {
    for (const u of [
      'http://cdn.example.com/a',
      'https://cdn.example.com.evil.net/a',
      'https://evil.net/cdn.example.com',
      'https://cdn.example.com:444/a',
      'https://dl.example.com/a',
      'https://a:b@cdn.example.com/a',
      'https://cdn.example.com@evil.net/a',
      'javascript:alert(1)',
      'https:///cdn.example.com/a',
    ]) {
      expect(allowedRedirect(u, hosts), u).toBeNull();
    }
  });
});

describe('saved file names', () => {
  it('keeps a plain ASCII name as is', () => {
    expect(attachmentDisposition('my-plugin.zip')).toBe('attachment; filename=my-plugin.zip');
    expect(attachmentDisposition('My Plugin (v2).zip')).toBe('attachment; filename="My Plugin (v2).zip"');
  });
  it('adds filename* for other names, with a printable ASCII fallback', () => {
    expect(attachmentDisposition('日本語.pdf')).toBe(
      `attachment; filename=___.pdf; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf`,
    );
    expect(asciiFallback('Ærøskøbing – 100%.zip')).toBe('_r_sk_bing _ 100_.zip');
    expect(asciiFallback('Crème brûlée.txt')).toBe('Creme brulee.txt');
  });
  it('strips separators and control characters, never yields an empty name', () => {
    expect(cleanFilename('a/b\\c\u0000d\r\n.txt')).toBe('a_b_cd.txt');
    expect(cleanFilename('  ')).toBe('download');
    expect(cleanFilename('..')).toBe('download');
    expect(baseName('products/2024/file.zip')).toBe('file.zip');
    expect(baseName('dir/')).toBe('dir');
  });
});

describe('error pages', () => {
  it('escapes everything it shows', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const page = renderErrorPage('<script>alert(1)</script>');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;');
  });
});

describe('metrics', () => {
  it('counts by outcome and fills cumulative histogram buckets', () => {
    const m = new Metrics();
    m.observe('redirect', 0.0002);
    m.observe('redirect', 0.003);
    m.observe('expired', 10);
    const text = renderPrometheus(m.snapshot(), { workers: 2 });
    expect(text).toContain('signet_verifier_requests_total{outcome="redirect"} 2\n');
    expect(text).toContain('signet_verifier_requests_total{outcome="expired"} 1\n');
    expect(text).toContain('signet_verifier_request_duration_seconds_bucket{le="0.00025"} 1\n');
    expect(text).toContain('signet_verifier_request_duration_seconds_bucket{le="0.005"} 2\n');
    expect(text).toContain('signet_verifier_request_duration_seconds_bucket{le="2.5"} 2\n');
    expect(text).toContain('signet_verifier_request_duration_seconds_bucket{le="+Inf"} 3\n');
    expect(text).toContain('signet_verifier_request_duration_seconds_count 3\n');
    expect(text).toContain('signet_verifier_workers 2\n');
  });

  it('sums snapshots from several workers', () => {
    const a = new Metrics();
    const b = new Metrics();
    a.observe('redirect', 0.001);
    b.observe('redirect', 0.001);
    b.observe('revoked', 0.3);
    const sum = mergeSnapshots([a.snapshot(), b.snapshot(), emptySnapshot()]);
    expect(sum.requests).toEqual({ redirect: 2, revoked: 1 });
    expect(sum.count).toBe(3);
    expect(sum.buckets).toHaveLength(DURATION_BUCKETS.length + 1);
    expect(sum.buckets.reduce((x, y) => x + y, 0)).toBe(3);
  });
});
