/**
 * docs/download-token-v1.md, the token spec a shop plugin author reads, is the one this repository tests: its
 * example token is the first test vector and verifies with the token module, every section of the spec is there
 * (the share guard included), and it points to the vectors.
 */
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { b64uDecode, parseKeys, verifyToken } from '../../src/shared-node/token';

const DOC_FILE = join(__dirname, '../../docs/download-token-v1.md');
const DOC = readFileSync(DOC_FILE, 'utf8');
const vectors = JSON.parse(readFileSync(join(__dirname, '../vectors/download-token-v1.json'), 'utf8')) as {
  keys: Record<string, string>;
  now: number;
  cases: { name: string; token: string }[];
};

describe('docs/download-token-v1.md', () => {
  it('has every section of the spec', () => {
    const headings = [...DOC.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      'Wire form',
      'Payload fields',
      'Request',
      'Answers',
      'Downloads and revocation',
      'Share guard (a verifier policy, optional; tokens are unchanged)',
      'Example',
      'Test vectors',
    ]);
  });

  it('gives an example token that is the first test vector, with the payload bytes and key it names', () => {
    const example = DOC.slice(DOC.indexOf('## Example'));
    const secret = /\(B64U `([A-Za-z0-9_-]{43})`\)/.exec(example)?.[1];
    const payload = /payload \(exact bytes\)\n`([^`]+)`/.exec(example)?.[1];
    const token = /gives the token\n`(v1\.[^`]+)`/.exec(example)?.[1];
    expect(secret).toBe(vectors.keys['k1']);
    expect(token).toBe(vectors.cases.find((c) => c.name === 'spec-example')?.token);

    const [version, kid, body, mac] = token!.split('.');
    expect([version, kid]).toEqual(['v1', 'k1']);
    expect(Buffer.from(b64uDecode(body!)!).toString('utf8')).toBe(payload);
    const expected = createHmac('sha256', Buffer.from(b64uDecode(secret!)!))
      .update(`v1.k1.${body}`)
      .digest('base64url');
    expect(mac).toBe(expected);
    const result = verifyToken(token!, parseKeys(vectors.keys), {
      now: vectors.now,
      productSlug: 'my-plugin',
    });
    expect(result).toMatchObject({ ok: true, kid: 'k1' });
  });

  it('points to the test vectors, which exist', () => {
    for (const file of ['../test/vectors/download-token-v1.json', '../test/vectors/README.md']) {
      expect(DOC).toContain(`](${file})`);
      expect(existsSync(join(dirname(DOC_FILE), file)), file).toBe(true);
    }
  });
});
