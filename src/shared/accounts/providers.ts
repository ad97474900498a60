/**
 * Storage providers Signet knows, with what a shop owner would otherwise have to look up: the endpoint
 * pattern, the region names, the addressing style, where the keys come from, and how the provider keeps
 * files private. Every preset only fills the form; the owner can change any field.
 */

export const PROVIDER_IDS = ['aws', 'r2', 'gcs', 'b2', 'wasabi', 'spaces', 'custom'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/**
 * How "private" works on a provider, as far as its documentation says:
 * - `detect`: per-object ACLs may or may not work (AWS: depends on the bucket's Object Ownership);
 * - `object-acl`: per-object ACLs work;
 * - `none`: the provider has no per-object ACLs (access is set per bucket, or not through S3 at all).
 */
export type ProviderAclSupport = 'detect' | 'object-acl' | 'none';

export interface ProviderPreset {
  id: ProviderId;
  label: string;
  /** For narrow places such as the accounts table. */
  shortLabel: string;
  /** `{region}` and `{accountId}` are filled in; empty for AWS, where the SDK picks the regional endpoint. */
  endpointTemplate: string;
  defaultRegion: string;
  /** Known region names, offered as suggestions (any other value is accepted). */
  regions: readonly string[];
  forcePathStyle: boolean;
  /** R2's endpoint contains the Cloudflare account ID, which the form asks for separately. */
  needsAccountId: boolean;
  /** Amazon's own endpoints: full checksum support; every other provider gets checksums only when required. */
  isAws: boolean;
  aclSupport: ProviderAclSupport;
  /** Where to create the access key, in one sentence. */
  keysHint: string;
  /** What the region field means for this provider. */
  regionHint: string;
}

export const PROVIDERS: Record<ProviderId, ProviderPreset> = {
  aws: {
    id: 'aws',
    label: 'Amazon S3',
    shortLabel: 'Amazon S3',
    endpointTemplate: '',
    defaultRegion: 'us-east-1',
    regions: [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'ca-central-1',
      'sa-east-1',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'eu-central-1',
      'eu-central-2',
      'eu-north-1',
      'eu-south-1',
      'ap-south-1',
      'ap-southeast-1',
      'ap-southeast-2',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-northeast-3',
      'af-south-1',
      'me-south-1',
    ],
    forcePathStyle: false,
    needsAccountId: false,
    isAws: true,
    aclSupport: 'detect',
    keysHint: 'Create an access key for an IAM user in the AWS console (IAM → Users → Security credentials).',
    regionHint:
      'The region your buckets are in, e.g. eu-west-1. Leave the endpoint empty for the standard one.',
  },
  r2: {
    id: 'r2',
    label: 'Cloudflare R2',
    shortLabel: 'Cloudflare R2',
    endpointTemplate: 'https://{accountId}.r2.cloudflarestorage.com',
    defaultRegion: 'auto',
    regions: ['auto'],
    forcePathStyle: false,
    needsAccountId: true,
    isAws: false,
    aclSupport: 'none',
    keysHint:
      'Create an R2 API token in the Cloudflare dashboard (R2 → Manage R2 API Tokens); it shows an access key ID and a secret.',
    regionHint: 'R2 always uses "auto".',
  },
  gcs: {
    id: 'gcs',
    label: 'Google Cloud Storage',
    shortLabel: 'Google Cloud',
    endpointTemplate: 'https://storage.googleapis.com',
    defaultRegion: 'auto',
    regions: ['auto'],
    forcePathStyle: false,
    needsAccountId: false,
    isAws: false,
    aclSupport: 'object-acl',
    keysHint: 'Create an HMAC key in the Google Cloud console (Cloud Storage → Settings → Interoperability).',
    regionHint: 'Google accepts "auto" for every bucket.',
  },
  b2: {
    id: 'b2',
    label: 'Backblaze B2',
    shortLabel: 'Backblaze B2',
    endpointTemplate: 'https://s3.{region}.backblazeb2.com',
    defaultRegion: 'us-west-004',
    regions: [
      'us-west-000',
      'us-west-001',
      'us-west-002',
      'us-west-004',
      'us-east-005',
      'eu-central-003',
      'ca-east-006',
    ],
    forcePathStyle: false,
    needsAccountId: false,
    isAws: false,
    aclSupport: 'none',
    keysHint:
      'Create an application key in the Backblaze web app (App Keys); the master key does not work with the S3 API.',
    regionHint: 'Shown as part of the bucket\'s "Endpoint" in the Backblaze web app, e.g. us-west-004.',
  },
  wasabi: {
    id: 'wasabi',
    label: 'Wasabi',
    shortLabel: 'Wasabi',
    endpointTemplate: 'https://s3.{region}.wasabisys.com',
    defaultRegion: 'us-east-1',
    regions: [
      'us-east-1',
      'us-east-2',
      'us-central-1',
      'us-west-1',
      'us-west-2',
      'ca-central-1',
      'eu-central-1',
      'eu-central-2',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'eu-south-1',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-southeast-1',
      'ap-southeast-2',
    ],
    forcePathStyle: false,
    needsAccountId: false,
    isAws: false,
    aclSupport: 'object-acl',
    keysHint: 'Create an access key in the Wasabi console (Access Keys).',
    regionHint: 'The region of your buckets, e.g. eu-central-1.',
  },
  spaces: {
    id: 'spaces',
    label: 'DigitalOcean Spaces',
    shortLabel: 'DO Spaces',
    endpointTemplate: 'https://{region}.digitaloceanspaces.com',
    defaultRegion: 'nyc3',
    regions: ['nyc3', 'sfo2', 'sfo3', 'ams3', 'fra1', 'lon1', 'sgp1', 'syd1', 'blr1', 'tor1', 'atl1'],
    forcePathStyle: false,
    needsAccountId: false,
    isAws: false,
    aclSupport: 'object-acl',
    keysHint:
      'Create a Spaces access key in the DigitalOcean control panel (Spaces Object Storage → Access Keys).',
    regionHint: 'The datacenter of your Spaces, e.g. fra1.',
  },
  custom: {
    id: 'custom',
    label: 'MinIO, Ceph or other S3-compatible',
    shortLabel: 'S3-compatible',
    endpointTemplate: '',
    defaultRegion: 'us-east-1',
    regions: ['us-east-1'],
    forcePathStyle: true,
    needsAccountId: false,
    isAws: false,
    aclSupport: 'detect',
    keysHint:
      'Use an access key created on your storage server (MinIO: Access Keys; Ceph: radosgw-admin user keys).',
    regionHint: 'Most self-hosted servers accept any region; us-east-1 is the usual default.',
  },
};

export const PROVIDER_LIST: readonly ProviderPreset[] = PROVIDER_IDS.map((id) => PROVIDERS[id]);

/** A Cloudflare account ID: 32 hexadecimal characters. */
export const R2_ACCOUNT_ID = /^[0-9a-f]{32}$/i;

/** The endpoint a preset suggests for a region (and R2 account ID); '' when the provider has none. */
export function endpointFor(provider: ProviderId, region: string, accountId = ''): string {
  return PROVIDERS[provider].endpointTemplate
    .replace('{region}', region.trim().toLowerCase())
    .replace('{accountId}', accountId.trim().toLowerCase() || '<account-id>');
}

/** Reads the Cloudflare account ID back out of an R2 endpoint (also the EU jurisdiction one), for editing. */
export function r2AccountIdFrom(endpoint: string): string {
  const match = /^https:\/\/([0-9a-f]{32})\.(?:[a-z]+\.)?r2\.cloudflarestorage\.com\/?$/i.exec(
    endpoint.trim(),
  );
  return match?.[1]?.toLowerCase() ?? '';
}

/** The address requests really go to, for display: AWS's regional endpoint when none is set. */
export function effectiveEndpoint(provider: ProviderId, endpoint: string, region: string): string {
  if (endpoint.trim()) return endpoint.trim();
  return provider === 'aws' ? `https://s3.${region}.amazonaws.com` : '';
}
