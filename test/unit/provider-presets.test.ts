import { describe, expect, it } from 'vitest';
import {
  effectiveEndpoint,
  endpointFor,
  PROVIDER_IDS,
  PROVIDERS,
  r2AccountIdFrom,
} from '../../src/shared/accounts/providers';
import {
  AccountCreateSchema,
  AccountSettingsSchema,
  AccountUpdateSchema,
  defaultSettingsFor,
} from '../../src/shared/accounts/schemas';
import { s3ClientConfig } from '../../src/main/services/storage/s3-client-factory';
import {
  newAccountValues,
  toUpdateInput,
  validateAccountForm,
  withLocation,
  withProvider,
} from '../../src/shared/accounts/form-values';

const R2_ID = '0123456789abcdef0123456789abcdef';
const creds = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

describe('provider presets', () => {
  it('fill the endpoint each provider documents', () => {
    expect(endpointFor('aws', 'eu-west-1')).toBe('');
    expect(endpointFor('r2', 'auto', R2_ID)).toBe(`https://${R2_ID}.r2.cloudflarestorage.com`);
    expect(endpointFor('gcs', 'auto')).toBe('https://storage.googleapis.com');
    expect(endpointFor('b2', 'eu-central-003')).toBe('https://s3.eu-central-003.backblazeb2.com');
    expect(endpointFor('wasabi', 'eu-central-2')).toBe('https://s3.eu-central-2.wasabisys.com');
    expect(endpointFor('spaces', 'fra1')).toBe('https://fra1.digitaloceanspaces.com');
    expect(endpointFor('custom', 'us-east-1')).toBe('');
    expect(PROVIDERS.r2.defaultRegion).toBe('auto');
    expect(PROVIDERS.custom.forcePathStyle).toBe(true);
    expect(PROVIDER_IDS.filter((id) => PROVIDERS[id].forcePathStyle)).toEqual(['custom']);
  });

  it('read the R2 account ID back from an endpoint (also the EU jurisdiction one)', () => {
    expect(r2AccountIdFrom(`https://${R2_ID}.r2.cloudflarestorage.com`)).toBe(R2_ID);
    expect(r2AccountIdFrom(`https://${R2_ID.toUpperCase()}.eu.r2.cloudflarestorage.com/`)).toBe(R2_ID);
    expect(r2AccountIdFrom('https://example.com')).toBe('');
  });

  it('show the address Amazon requests go to when no endpoint is set', () => {
    expect(effectiveEndpoint('aws', '', 'eu-west-3')).toBe('https://s3.eu-west-3.amazonaws.com');
    expect(effectiveEndpoint('custom', ' http://10.0.0.5:9000 ', 'us-east-1')).toBe('http://10.0.0.5:9000');
  });
});

describe('S3 client configuration', () => {
  it('keeps the SDK defaults for Amazon, and asks for checksums only when required everywhere else', () => {
    const aws = s3ClientConfig(
      { provider: 'aws', endpoint: '', region: 'eu-west-1', forcePathStyle: false },
      creds,
    );
    expect(aws.endpoint).toBeUndefined();
    expect(aws.requestChecksumCalculation).toBeUndefined();
    expect(aws.responseChecksumValidation).toBeUndefined();
    for (const provider of PROVIDER_IDS.filter((p) => p !== 'aws')) {
      const config = s3ClientConfig(
        {
          provider,
          endpoint:
            endpointFor(provider, PROVIDERS[provider].defaultRegion, R2_ID) || 'http://127.0.0.1:7480',
          region: 'auto',
          forcePathStyle: false,
        },
        creds,
      );
      expect(config.requestChecksumCalculation, provider).toBe('WHEN_REQUIRED');
      expect(config.responseChecksumValidation, provider).toBe('WHEN_REQUIRED');
    }
    // "Amazon S3" pointed at a server that is not Amazon's is treated like any other S3-compatible one.
    const proxied = s3ClientConfig(
      { provider: 'aws', endpoint: 'https://minio.local', region: 'us-east-1', forcePathStyle: true },
      creds,
    );
    expect(proxied.requestChecksumCalculation).toBe('WHEN_REQUIRED');
  });

  it('passes the session token, the clock offset, and short timeouts with one attempt for tests', () => {
    const config = s3ClientConfig(
      { provider: 'custom', endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', forcePathStyle: true },
      { ...creds, sessionToken: 'FwoGZXIvYXdzEXAMPLE' },
      { systemClockOffset: -1_049_500, purpose: 'test' },
    );
    expect(config).toMatchObject({
      endpoint: 'http://127.0.0.1:7480',
      forcePathStyle: true,
      credentials: { ...creds, sessionToken: 'FwoGZXIvYXdzEXAMPLE' },
      systemClockOffset: -1_049_500,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
    });
    const transfer = s3ClientConfig(
      { provider: 'custom', endpoint: 'http://x', region: 'us-east-1', forcePathStyle: true },
      creds,
    );
    expect(transfer.maxAttempts).toBeUndefined();
    expect(transfer.credentials).toEqual(creds);
  });
});

describe('account schemas (shared by the form and main)', () => {
  const valid = { ...defaultSettingsFor('custom'), name: 'Ceph', endpoint: 'http://127.0.0.1:7480' };

  it('need an endpoint everywhere but Amazon, and no unfilled R2 placeholder', () => {
    expect(AccountSettingsSchema.safeParse(valid).success).toBe(true);
    expect(AccountSettingsSchema.safeParse({ ...defaultSettingsFor('aws'), name: 'S3' }).success).toBe(true);
    const missing = AccountSettingsSchema.safeParse({ ...valid, endpoint: '' });
    expect(missing.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['endpoint', 'Enter the endpoint address of your storage'],
    ]);
    const r2 = AccountSettingsSchema.safeParse({ ...defaultSettingsFor('r2'), name: 'R2' });
    expect(r2.error?.issues.map((i) => i.message)).toEqual(['Fill in your Cloudflare account ID']);
    expect(AccountSettingsSchema.safeParse({ ...valid, endpoint: 'ftp://x' }).success).toBe(false);
  });

  it('refuse bad bucket names and duplicates, in plain words', () => {
    const bad = AccountSettingsSchema.safeParse({ ...valid, buckets: ['Shop Files', 'ok-one', 'ok-one'] });
    expect(bad.error?.issues.map((i) => i.message)).toEqual([
      'Bucket names use lower-case letters, digits, dots, dashes and underscores',
      'A bucket is listed twice',
    ]);
  });

  it('need both key parts to add, and on edit treat empty key fields as "keep"', () => {
    const add = AccountCreateSchema.safeParse({
      settings: valid,
      credentials: { accessKeyId: ' ', secretAccessKey: '' },
    });
    expect(add.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'credentials.accessKeyId',
      'credentials.secretAccessKey',
    ]);
    const id = '6f1d3c8e-9a4b-4c2d-8e7f-0a1b2c3d4e5f';
    expect(
      AccountUpdateSchema.parse({
        id,
        settings: valid,
        credentials: { accessKeyId: '', secretAccessKey: '', sessionToken: '' },
      }).credentials,
    ).toEqual({});
    expect(AccountUpdateSchema.parse({ id, settings: valid }).credentials).toEqual({});
    const keyOnly = AccountUpdateSchema.safeParse({
      id,
      settings: valid,
      credentials: { accessKeyId: 'NEWKEY' },
    });
    expect(keyOnly.error?.issues).toEqual([
      expect.objectContaining({
        path: ['credentials', 'secretAccessKey'],
        message: 'A new access key ID comes with its own secret: enter it too',
      }),
    ]);
    expect(
      AccountUpdateSchema.parse({ id, settings: valid, credentials: { sessionToken: null } }).credentials,
    ).toEqual({ sessionToken: null });
  });
});

describe('account form values', () => {
  it('fill the preset when the provider changes, and move the endpoint with the region unless it was typed', () => {
    let v = withProvider({ ...newAccountValues(), name: 'Shop' }, 'b2');
    expect(v).toMatchObject({
      name: 'Shop',
      region: 'us-west-004',
      endpoint: 'https://s3.us-west-004.backblazeb2.com',
      forcePathStyle: false,
    });
    v = withLocation(v, 'eu-central-003', '');
    expect(v.endpoint).toBe('https://s3.eu-central-003.backblazeb2.com');
    v = withLocation({ ...v, endpoint: 'https://b2.proxy.example' }, 'us-east-005', '');
    expect(v.endpoint).toBe('https://b2.proxy.example');
  });

  it('build the R2 endpoint from the account ID, and ask for a valid one', () => {
    let v = withProvider({ ...newAccountValues(), name: 'R2', accessKeyId: 'k', secretAccessKey: 's' }, 'r2');
    expect(validateAccountForm(v, null)).toEqual({
      accountId: expect.stringMatching(/Cloudflare account ID/),
    });
    v = withLocation(v, 'auto', '0123');
    expect(validateAccountForm(v, null)).toEqual({
      accountId: expect.stringMatching(/32 letters and digits/),
    });
    v = withLocation(v, 'auto', R2_ID);
    expect(v.endpoint).toBe(`https://${R2_ID}.r2.cloudflarestorage.com`);
    expect(validateAccountForm(v, null)).toEqual({});
  });

  it('leave empty key fields out of an edit, and send null to drop a session token', () => {
    const v = { ...newAccountValues('custom'), name: 'Ceph', endpoint: 'http://127.0.0.1:7480' };
    expect(toUpdateInput('id', v).credentials).toEqual({
      accessKeyId: undefined,
      secretAccessKey: undefined,
      sessionToken: undefined,
    });
    expect(toUpdateInput('id', { ...v, removeSessionToken: true }).credentials!.sessionToken).toBeNull();
    expect(
      toUpdateInput('id', { ...v, useSessionToken: true, sessionToken: 'tok' }).credentials!.sessionToken,
    ).toBe('tok');
  });

  it('ask for the session token of a new temporary key, which cannot keep the stored one', () => {
    const ID = '6f1d3c8e-9a4b-4c2d-8e7f-0a1b2c3d4e5f';
    const v = { ...newAccountValues('custom'), name: 'Ceph', endpoint: 'http://127.0.0.1:7480' };
    const temporary = { ...v, useSessionToken: true };
    // No new key: an empty token field keeps the stored token.
    expect(validateAccountForm(temporary, ID)).toEqual({});
    const newKey = { ...temporary, accessKeyId: 'ASIANEWKEY', secretAccessKey: 'new-secret' };
    expect(validateAccountForm(newKey, ID)).toEqual({
      sessionToken: 'Enter the session token that comes with this key, or switch temporary credentials off',
    });
    expect(validateAccountForm(newKey, null)).toEqual(validateAccountForm(newKey, ID));
    expect(validateAccountForm({ ...newKey, sessionToken: 'tok' }, ID)).toEqual({});
    expect(validateAccountForm({ ...newKey, useSessionToken: false }, ID)).toEqual({});
  });
});
