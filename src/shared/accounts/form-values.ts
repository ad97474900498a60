/** The Add/Edit account form's values and how they become contract input (pure, shared so it is unit-tested). */
import type { z } from 'zod';
import { endpointFor, PROVIDERS, R2_ACCOUNT_ID, r2AccountIdFrom, type ProviderId } from './providers';
import {
  AccountCreateSchema,
  AccountUpdateSchema,
  defaultSettingsFor,
  type AccountCreateInput,
  type AccountUpdateInput,
  type AccountView,
} from './schemas';

/** The form's fields: the account settings plus the key fields, flat, as the form edits them. */
export interface AccountFormValues {
  provider: ProviderId;
  name: string;
  /** Cloudflare account ID (R2 only): fills the endpoint. */
  accountId: string;
  region: string;
  endpoint: string;
  forcePathStyle: boolean;
  buckets: string[];
  privateBucket: string | null;
  accessKeyId: string;
  secretAccessKey: string;
  useSessionToken: boolean;
  sessionToken: string;
  /** Edit only: drop the stored session token (the key is now a permanent one). */
  removeSessionToken: boolean;
}

export function newAccountValues(provider: ProviderId = 'aws'): AccountFormValues {
  return {
    ...defaultSettingsFor(provider),
    name: '',
    accountId: '',
    accessKeyId: '',
    secretAccessKey: '',
    useSessionToken: false,
    sessionToken: '',
    removeSessionToken: false,
  };
}

export function editAccountValues(account: AccountView): AccountFormValues {
  return {
    provider: account.provider,
    name: account.name,
    accountId: account.provider === 'r2' ? r2AccountIdFrom(account.endpoint) : '',
    region: account.region,
    endpoint: account.endpoint,
    forcePathStyle: account.forcePathStyle,
    buckets: account.buckets,
    privateBucket: account.privateBucket,
    accessKeyId: '',
    secretAccessKey: '',
    useSessionToken: false,
    sessionToken: '',
    removeSessionToken: false,
  };
}

/** Switching provider fills the preset's region, endpoint and addressing style; the name and keys stay. */
export function withProvider(values: AccountFormValues, provider: ProviderId): AccountFormValues {
  const preset = PROVIDERS[provider];
  return {
    ...values,
    provider,
    region: preset.defaultRegion,
    endpoint: endpointFor(provider, preset.defaultRegion, values.accountId),
    forcePathStyle: preset.forcePathStyle,
  };
}

/**
 * A new region (or R2 account ID) moves the endpoint along, unless the owner typed an endpoint of their own
 * (it no longer matches what the preset would have made).
 */
export function withLocation(
  values: AccountFormValues,
  region: string,
  accountId: string,
): AccountFormValues {
  const template = PROVIDERS[values.provider].endpointTemplate;
  const wasPreset =
    template !== '' && values.endpoint === endpointFor(values.provider, values.region, values.accountId);
  return {
    ...values,
    region,
    accountId,
    endpoint: wasPreset ? endpointFor(values.provider, region, accountId) : values.endpoint,
  };
}

function settingsOf(v: AccountFormValues): AccountCreateInput['settings'] {
  return {
    name: v.name,
    provider: v.provider,
    endpoint: v.endpoint,
    region: v.region,
    forcePathStyle: v.forcePathStyle,
    buckets: v.buckets,
    privateBucket: v.privateBucket || null,
  };
}

export function toCreateInput(v: AccountFormValues): AccountCreateInput {
  return {
    settings: settingsOf(v),
    credentials: {
      accessKeyId: v.accessKeyId,
      secretAccessKey: v.secretAccessKey,
      sessionToken: v.useSessionToken ? v.sessionToken : undefined,
    },
  };
}

/** The form holds a new access key ID or secret (on edit, empty key fields mean "keep the stored ones"). */
export function typesNewKeys(v: AccountFormValues): boolean {
  return v.accessKeyId.trim() !== '' || v.secretAccessKey.trim() !== '';
}

/**
 * Empty key fields are left out, so the keychain keeps what it holds. A new key without a session token of its
 * own drops the stored token in main (a token belongs to one key pair), so the form asks for one when the
 * temporary switch is on (see validateAccountForm).
 */
export function toUpdateInput(id: string, v: AccountFormValues): AccountUpdateInput {
  return {
    id,
    settings: settingsOf(v),
    credentials: {
      accessKeyId: v.accessKeyId.trim() || undefined,
      secretAccessKey: v.secretAccessKey.trim() || undefined,
      sessionToken: v.removeSessionToken
        ? null
        : v.useSessionToken && v.sessionToken.trim()
          ? v.sessionToken
          : undefined,
    },
  };
}

/** Maps a path from the contract's input (`settings.region`, `credentials.secretAccessKey`) to a form field. */
export function fieldOf(path: string): keyof AccountFormValues | 'form' {
  const [, field] = path.split('.');
  if (field === 'endpoint' || field === 'region' || field === 'name' || field === 'buckets') return field;
  if (field === 'privateBucket' || field === 'accessKeyId' || field === 'secretAccessKey') return field;
  if (field === 'sessionToken') return 'sessionToken';
  if (field === 'forcePathStyle' || field === 'provider') return field;
  return 'form';
}

/** The same schemas main checks with, so the form says the same thing before the round trip. */
export function validateAccountForm(
  values: AccountFormValues,
  editingId: string | null,
): Record<string, string> {
  const parsed: z.ZodSafeParseResult<unknown> = editingId
    ? AccountUpdateSchema.safeParse(toUpdateInput(editingId, values))
    : AccountCreateSchema.safeParse(toCreateInput(values));
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path.map(String).join('.'));
      errors[field] ??= issue.message;
    }
  }
  // Left empty, the token field would read as "keep the stored token", which a new key cannot keep.
  if (values.useSessionToken && !values.sessionToken.trim() && typesNewKeys(values)) {
    errors['sessionToken'] ??=
      'Enter the session token that comes with this key, or switch temporary credentials off';
  }
  const presetEndpoint = values.endpoint === endpointFor('r2', values.region, values.accountId);
  if (values.provider === 'r2' && presetEndpoint && !R2_ACCOUNT_ID.test(values.accountId.trim())) {
    errors['accountId'] = 'Your Cloudflare account ID: 32 letters and digits, shown in the R2 overview';
    delete errors['endpoint'];
  }
  return errors;
}
