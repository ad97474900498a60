/** `signet settings get|set`: the app's SettingsService, plus the verifier admin token in the keychain. */
import { ADMIN_TOKEN_MIN_CHARS } from '@shared/links/schemas';
import { SettingsPatchSchema, type Settings, type SettingsPatch } from '@shared/settings';
import type { MainServices } from '../../main/wiring';
import {
  parseLinkExpiryHours,
  parseMaxDownloads,
  parseShareAction,
  parseShareNetworks,
  parseWatchEvery,
  UsageError,
} from '../args';
import { readSecret, secretSource, type CommandContext, type CommandHandler } from '../context';

import { VERIFIER_ADMIN_TOKEN_ENTRY } from '../../main/services/links/verifier-admin';

/** The keychain entry of the verifier's admin token (shared with the app and `signet verifier-config`). */
export { VERIFIER_ADMIN_TOKEN_ENTRY };

const SETTABLE = [
  'verifier-url',
  'verifier-admin-url',
  'link-expiry',
  'max-downloads',
  'share-networks',
  'share-action',
  'watch-every',
  'verifier-admin-token',
] as const;

/** `settings set KEY VALUE` → the patch it means; UsageError naming the key for a bad key or value. */
export function settingsPatchFor(key: string, value: string): SettingsPatch {
  let patch: SettingsPatch;
  switch (key) {
    case 'verifier-url':
      patch = { verifierBaseUrl: value.trim() };
      break;
    case 'verifier-admin-url':
      patch = { verifierAdminUrl: value.trim() };
      break;
    case 'link-expiry':
      patch = { defaultLinkExpiryHours: parseLinkExpiryHours(value) };
      break;
    case 'max-downloads':
      patch = { defaultMaxDownloads: parseMaxDownloads(value) };
      break;
    case 'share-networks':
      patch = { shareNetworks: parseShareNetworks(value) };
      break;
    case 'share-action':
      patch = { shareAction: parseShareAction(value) };
      break;
    case 'watch-every':
      patch = { watchEveryMinutes: parseWatchEvery(value) };
      break;
    default:
      throw new UsageError(`unknown setting “${key}” (one of ${SETTABLE.join(', ')})`);
  }
  const checked = SettingsPatchSchema.safeParse(patch);
  if (!checked.success) throw new UsageError(`${key}: ${checked.error.issues[0]!.message} (got “${value}”)`);
  return checked.data;
}

async function adminTokenState(services: MainServices): Promise<'set' | 'not set'> {
  return (await services.adminToken.isSet()) ? 'set' : 'not set';
}

async function print(ctx: CommandContext, settings: Settings): Promise<void> {
  const verifierAdminToken = await adminTokenState(ctx.services());
  ctx.out.object({ ...settings, verifierAdminToken });
  ctx.out.table(
    ['SETTING', 'VALUE'],
    [
      ['verifier-url', settings.verifierBaseUrl || '(not set)'],
      ['verifier-admin-url', settings.verifierAdminUrl || '(same as verifier-url)'],
      ['link-expiry', hoursText(settings.defaultLinkExpiryHours)],
      [
        'max-downloads',
        settings.defaultMaxDownloads === null ? 'none' : String(settings.defaultMaxDownloads),
      ],
      ['share-networks', shareNetworksText(settings)],
      ['share-action', settings.shareAction],
      ['watch-every', watchEveryText(settings)],
      ['verifier-admin-token', verifierAdminToken],
    ],
  );
}

function shareNetworksText(s: Settings): string {
  return s.shareNetworks === 0 ? '0 (share guard off)' : String(s.shareNetworks);
}

/** `off`, or the pace as `settings set watch-every` takes it (`6h`, `90m`, `1d`). */
function watchEveryText(s: Settings): string {
  const m = s.watchEveryMinutes;
  if (m === 0) return 'off';
  return m % 1440 === 0 ? `${m / 1440}d` : m % 60 === 0 ? `${m / 60}h` : `${m}m`;
}

function hoursText(h: number): string {
  return h % 24 === 0 ? `${h / 24}d` : `${h}h`;
}

const get: CommandHandler = async (ctx) => {
  await print(ctx, ctx.services().settings.get());
  return 0;
};

const set: CommandHandler = async (ctx) => {
  const [key, value] = ctx.positionals as [string, string | undefined];
  if (!(SETTABLE as readonly string[]).includes(key)) {
    throw new UsageError(`unknown setting “${key}” (one of ${SETTABLE.join(', ')})`);
  }
  if (key === 'verifier-admin-token') {
    if (value !== undefined) {
      throw new UsageError(
        'verifier-admin-token is never taken from the command line: use --secret-stdin or --secret-env NAME',
      );
    }
    secretSource(ctx, 'verifier admin token');
    const services = ctx.services();
    const token = (await readSecret(ctx, 'verifier admin token')).value.trim();
    if (token.length < ADMIN_TOKEN_MIN_CHARS || /\s/.test(token)) {
      throw new UsageError(
        `verifier-admin-token: must be at least ${ADMIN_TOKEN_MIN_CHARS} characters without spaces, as the verifier requires`,
      );
    }
    await services.adminToken.set(token);
    if (ctx.out.json) await print(ctx, services.settings.get());
    else ctx.out.say('The verifier admin token is stored in the system keychain.');
    return 0;
  }
  if (ctx.values['secret-stdin'] || ctx.values['secret-env'] !== undefined) {
    throw new UsageError(`--secret-stdin and --secret-env are only for verifier-admin-token, not ${key}`);
  }
  if (value === undefined) throw new UsageError(`${key}: give a value (signet settings set ${key} VALUE)`);
  const patch = settingsPatchFor(key, value);
  const services = ctx.services();
  const next = services.settings.update(patch);
  if (ctx.out.json) await print(ctx, next);
  else ctx.out.say(`Saved: ${key} = ${describe(key, next)}`);
  return 0;
};

function describe(key: string, s: Settings): string {
  if (key === 'verifier-url') return s.verifierBaseUrl || '(not set)';
  if (key === 'verifier-admin-url') return s.verifierAdminUrl || '(same as verifier-url)';
  if (key === 'link-expiry') return hoursText(s.defaultLinkExpiryHours);
  if (key === 'share-networks') return `${shareNetworksText(s)}; export the verifier config again`;
  if (key === 'share-action') return `${s.shareAction}; export the verifier config again`;
  if (key === 'watch-every') return `${watchEveryText(s)} (while the desktop app is open)`;
  return s.defaultMaxDownloads === null ? 'none' : String(s.defaultMaxDownloads);
}

export const settingsCommands = {
  'settings get': get,
  'settings set': set,
} as const;
