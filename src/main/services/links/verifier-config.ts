import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, lstatSync, openSync, writeSync } from 'node:fs';
import { fullKeyWarning } from '@shared/accounts/read-only-key';
import type { VerifierExport, VerifierExportInput } from '@shared/links/schemas';
import { VerifierExportInputSchema } from '@shared/links/schemas';
import { parseListen } from '@shared/links/verifier-listen-address';
import { b64uEncode } from '@shared-node/token';
import type { AccountService } from '../accounts/account-service';
import type { ActivityService } from '../activity-service';
import { writeFileAtomic } from '../backup/atomic-file';
import { UserFacingError } from '../errors';
import type { SecretStore } from '../secret-store';
import type { SettingsService } from '../settings-service';
import type { SigningKeyService } from './signing-key-service';
import { VERIFIER_ADMIN_TOKEN_ENTRY } from './verifier-admin';

/** The verifier's config file as Signet writes it (the shape src/verifier/config.ts reads). */
export interface VerifierConfigFile {
  listen: { host: string; port: number };
  adminListen?: { host: string; port: number };
  keys: Record<string, string>;
  stores: Record<
    string,
    {
      endpoint?: string;
      region: string;
      forcePathStyle: boolean;
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken?: string;
    }
  >;
  adminToken: string;
  state: { sqlite: string };
  /** The share guard (spec "Share guard"), from the settings; absent when it is off. */
  shareGuard?: { networks: number; action: 'flag' | 'block' };
}

/**
 * Builds and writes the verifier's complete config: the keys that still verify, one store per account (its fixed
 * verifier store, as `src.store` in its tokens; unique in the accounts table, so no two accounts meet) with the
 * account's read-only verifier key where it has one (else its own key, and a warning saying so), the admin token
 * (made on the first export and kept in the keychain, so the app can call the admin API). The file holds secrets:
 * it is written atomically with mode 0600, never through a symbolic link.
 */
export class VerifierConfigExporter {
  constructor(
    private readonly deps: {
      keys: SigningKeyService;
      accounts: AccountService;
      secrets: SecretStore;
      activity: ActivityService;
      settings: SettingsService;
    },
  ) {}

  async build(input: VerifierExportInput = {}): Promise<{
    config: VerifierConfigFile;
    adminTokenCreated: boolean;
    warnings: string[];
    fullPermissionKeys: VerifierExport['fullPermissionKeys'];
  }> {
    const opts = VerifierExportInputSchema.parse(input);
    const warnings: string[] = [];
    const fullPermissionKeys: VerifierExport['fullPermissionKeys'] = [];
    const keys = await this.deps.keys.verifyingKeys();
    const stores: VerifierConfigFile['stores'] = {};
    for (const record of this.deps.accounts.records()) {
      // The read-only verifier key where the account has one: the verifier only reads files.
      let credentials = await this.deps.accounts.verifierKey(record.id);
      if (!credentials) {
        try {
          credentials = (await this.deps.accounts.connection(record.id)).credentials;
        } catch (err) {
          if (err instanceof UserFacingError && err.code === 'keychain-unavailable') throw err;
          warnings.push(`Account “${record.name}” was left out: its keys are not in the keychain.`);
          continue;
        }
        fullPermissionKeys.push({
          account: record.name,
          store: record.verifierStore,
          warning: fullKeyWarning(record.name, record.provider, [
            ...record.buckets,
            ...(record.privateBucket ? [record.privateBucket] : []),
          ]),
        });
      }
      stores[record.verifierStore] = {
        ...(record.endpoint.trim() ? { endpoint: record.endpoint.trim() } : {}),
        region: record.region || 'us-east-1',
        forcePathStyle: record.forcePathStyle,
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
      };
    }
    let adminToken = await this.deps.secrets.get(VERIFIER_ADMIN_TOKEN_ENTRY);
    let adminTokenCreated = false;
    if (!adminToken) {
      adminToken = b64uEncode(randomBytes(32));
      await this.deps.secrets.set(VERIFIER_ADMIN_TOKEN_ENTRY, adminToken);
      adminTokenCreated = true;
    }
    return {
      config: {
        listen: parseListen(opts.listen),
        ...(opts.adminListen ? { adminListen: parseListen(opts.adminListen) } : {}),
        keys: Object.fromEntries(keys.map((k) => [k.kid, b64uEncode(k.secret)])),
        stores,
        adminToken,
        state: { sqlite: opts.stateSqlite },
        ...shareGuardOf(this.deps.settings),
      },
      adminTokenCreated,
      warnings,
      fullPermissionKeys,
    };
  }

  /**
   * Builds the config and writes it to `file`: atomically (a temporary file with mode 0600 in the same folder,
   * flushed, then renamed over `file`), and never through a symbolic link (a link at `file` is refused). The keys
   * in it are then marked exported: links signed with them no longer warn that the verifier does not know the key.
   * (Signet cannot see whether the file was installed; written is the best it knows.)
   */
  async write(file: string, input: VerifierExportInput = {}): Promise<VerifierExport> {
    refuseSymlink(file);
    const { config, adminTokenCreated, warnings, fullPermissionKeys } = await this.build(input);
    writeFileAtomic(file, Buffer.from(`${JSON.stringify(config, null, 2)}\n`, 'utf8'));
    this.deps.keys.markExported(Object.keys(config.keys));
    this.deps.activity.record(
      'links',
      `Exported the verifier config (${Object.keys(config.keys).length} key(s), ${Object.keys(config.stores).length} store(s)) to ${file}.`,
    );
    return {
      file,
      kids: Object.keys(config.keys),
      stores: Object.keys(config.stores),
      adminTokenCreated,
      warnings,
      fullPermissionKeys,
    };
  }
}

/** A verifier config is never written through a symbolic link: where it points could be any file. */
export function refuseSymlink(file: string): void {
  let link = false;
  try {
    link = lstatSync(file).isSymbolicLink();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (link) {
    throw new UserFacingError(
      'invalid-input',
      `“${file}” is a symbolic link, and Signet does not write the verifier config through one (it would land wherever the link points). Nothing was written: choose the real file’s path, or remove the link.`,
    );
  }
}

/** `shareGuard` as the verifier reads it, when the settings turn the guard on (networks ≥ 1). */
function shareGuardOf(settings: SettingsService): Pick<VerifierConfigFile, 'shareGuard'> {
  const { shareNetworks, shareAction } = settings.get();
  return shareNetworks > 0 ? { shareGuard: { networks: shareNetworks, action: shareAction } } : {};
}

/** Writes a file only its owner can read: created 0600, and chmod'ed in case it existed with other bits. */
export function writePrivateFile(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    if (process.platform !== 'win32') chmodSync(file, 0o600);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
