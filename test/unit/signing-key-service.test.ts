import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/db/database';
import { ActivityRepository } from '../../src/main/repositories/activity-repository';
import { SigningKeyRepository } from '../../src/main/repositories/signing-key-repository';
import { ActivityService } from '../../src/main/services/activity-service';
import { systemClock } from '../../src/main/services/clock';
import { SigningKeyService } from '../../src/main/services/links/signing-key-service';
import { MemorySecretStore } from '../../src/main/services/memory-secret-store';

/** A keychain whose deletes fail, as a locked or unreachable Secret Service does. */
class UndeletableSecrets extends MemorySecretStore {
  override async delete(): Promise<boolean> {
    throw new Error('the keyring is locked');
  }
}

const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

function service(secrets: MemorySecretStore, log: string[]): SigningKeyService {
  const db = openDatabase(':memory:');
  dbs.push(db);
  return new SigningKeyService({
    repo: new SigningKeyRepository(db),
    secrets,
    activity: new ActivityService(new ActivityRepository(db), systemClock),
    clock: systemClock,
    log: (m) => log.push(m),
  });
}

describe('SigningKeyService keychain clean-up', () => {
  it('retires a key whose secret cannot be deleted, and logs the entry left behind (never the secret)', async () => {
    const secrets = new UndeletableSecrets();
    const log: string[] = [];
    const keys = service(secrets, log);
    const key = await keys.create();
    const secret = await secrets.get(`signing-key:${key.kid}`);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const retired = await keys.retire(key.kid);

    expect(retired.retiredAt).not.toBeNull();
    expect(log).toEqual([
      `Signet could not delete a retired key's secret: signing-key:${key.kid} is still in the keychain (the keyring is locked)`,
    ]);
    expect(log.join('\n')).not.toContain(secret as string);
  });
});
