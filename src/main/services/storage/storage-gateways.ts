import type { AccountService } from '../accounts/account-service';
import type { AccountRecord } from '../../repositories/account-repository';
import type { S3ClientFactory, S3Credentials } from './s3-client-factory';
import type { Clock } from '../clock';
import { StorageGateway, type GatewayAccount } from './storage-gateway';

/** What a gateway needs of an account: its settings, its keys (from the keychain, in memory) and clock offset. */
export function gatewayAccount(record: AccountRecord, credentials: S3Credentials): GatewayAccount {
  return {
    id: record.id,
    settings: {
      provider: record.provider,
      endpoint: record.endpoint,
      region: record.region,
      forcePathStyle: record.forcePathStyle,
    },
    credentials,
    clockOffsetMs: record.clockOffsetMs,
  };
}

/**
 * One storage gateway per account, built on first use and rebuilt when the account changed (settings, keys or
 * the measured clock offset), so every caller signs with the current offset and keys.
 */
export class StorageGateways {
  private readonly cache = new Map<string, { stamp: string; gateway: StorageGateway }>();

  constructor(
    private readonly accounts: AccountService,
    private readonly factory: S3ClientFactory,
    private readonly clock: Clock,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async for(accountId: string): Promise<StorageGateway> {
    const { record, credentials } = await this.accounts.connection(accountId);
    const stamp = `${record.updatedAt}|${record.clockOffsetMs}|${credentials.accessKeyId}`;
    const cached = this.cache.get(accountId);
    if (cached?.stamp === stamp) return cached.gateway;
    cached?.gateway.destroy();
    const client = this.factory.create(record, credentials, {
      purpose: 'transfer',
      systemClockOffset: record.clockOffsetMs,
    });
    const gateway = new StorageGateway(
      client,
      gatewayAccount(record, credentials),
      this.clock,
      this.fetchImpl,
    );
    this.cache.set(accountId, { stamp, gateway });
    return gateway;
  }

  close(): void {
    for (const { gateway } of this.cache.values()) gateway.destroy();
    this.cache.clear();
  }
}
