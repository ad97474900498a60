/** `signet accounts add|list|test|remove`: thin calls into the app's AccountService. */
import type { z } from 'zod';
import { endpointFor, PROVIDER_IDS, PROVIDERS } from '@shared/accounts/providers';
import {
  AccountCreateSchema,
  type AccountCreate,
  type AccountView,
  type TestResult,
  VerifierKeyInputSchema,
} from '@shared/accounts/schemas';
import { UserFacingError } from '../../main/services/errors';
import { flag, listOption, stringOption, UsageError } from '../args';
import { findAccount, readSecret, secretSource, type CommandContext, type CommandHandler } from '../context';
import { shellQuote } from '../output';

/** Which flag each field of AccountCreate comes from, to name it in a validation message. */
const FLAG_OF: Record<string, string> = {
  'settings.name': '--name',
  'settings.provider': '--provider',
  'settings.endpoint': '--endpoint',
  'settings.region': '--region',
  'settings.forcePathStyle': '--path-style',
  'settings.buckets': '--bucket',
  'settings.privateBucket': '--private-bucket',
  'credentials.accessKeyId': '--access-key-id',
};

/** The first zod issue as `--flag: message` (exit 2). */
export function issueToUsage(error: z.ZodError, secretFlag: string, input: AccountCreate): UsageError {
  const issue = error.issues[0]!;
  const [group, field, index] = issue.path;
  const path = `${String(group)}.${String(field)}`;
  const name = path === 'credentials.secretAccessKey' ? secretFlag : (FLAG_OF[path] ?? path);
  const value =
    path === 'settings.buckets' && typeof index === 'number' ? ` “${input.settings.buckets[index]}”` : '';
  return new UsageError(`${name}${value}: ${issue.message}`);
}

const add: CommandHandler = async (ctx) => {
  const v = ctx.values;
  const providerText = stringOption(v, 'provider');
  if (providerText === undefined) throw new UsageError(`--provider is required (${PROVIDER_IDS.join('|')})`);
  const provider = PROVIDER_IDS.find((p) => p === providerText.trim().toLowerCase());
  if (!provider) {
    throw new UsageError(`--provider must be one of ${PROVIDER_IDS.join(', ')} (got “${providerText}”)`);
  }
  if (flag(v, 'path-style') && flag(v, 'virtual-hosted')) {
    throw new UsageError('--path-style and --virtual-hosted exclude each other');
  }
  const preset = PROVIDERS[provider];
  const region = stringOption(v, 'region') ?? preset.defaultRegion;
  const input: AccountCreate = {
    settings: {
      name: stringOption(v, 'name') ?? '',
      provider,
      endpoint: stringOption(v, 'endpoint') ?? endpointFor(provider, region),
      region,
      forcePathStyle: flag(v, 'path-style')
        ? true
        : flag(v, 'virtual-hosted')
          ? false
          : preset.forcePathStyle,
      buckets: listOption(v, 'bucket'),
      privateBucket: stringOption(v, 'private-bucket') ?? null,
    },
    credentials: { accessKeyId: stringOption(v, 'access-key-id') ?? '', secretAccessKey: '' },
  };
  // Everything but the secret first, so a wrong flag never waits for standard input.
  const early = AccountCreateSchema.safeParse({
    ...input,
    credentials: { ...input.credentials, secretAccessKey: 'checked-later' },
  });
  if (!early.success) throw issueToUsage(early.error, '--secret-stdin', input);
  secretSource(ctx, 'secret access key');

  const services = ctx.services();
  const taken = (await services.accounts.list()).find(
    (a) => a.name.toLocaleLowerCase() === early.data.settings.name.toLocaleLowerCase(),
  );
  if (taken) throw new UsageError(`--name: there is already an account named “${taken.name}”`);

  const secret = await readSecret(ctx, 'secret access key');
  input.credentials.secretAccessKey = secret.value;
  const parsed = AccountCreateSchema.safeParse(input);
  if (!parsed.success) throw issueToUsage(parsed.error, secret.flag, input);

  let view: AccountView;
  try {
    view = await services.accounts.add(parsed.data);
  } catch (err) {
    if (err instanceof UserFacingError && err.code === 'conflict')
      throw new UsageError(`--name: ${err.message}`);
    throw err;
  }
  ctx.out.object(view);
  ctx.out.say(
    `Added storage account “${view.name}” (${PROVIDERS[view.provider].label}, id ${view.id}); its keys are in ` +
      `the system keychain.\nTest it with: signet accounts test ${shellQuote(view.name)}`,
  );
  return 0;
};

const list: CommandHandler = async (ctx) => {
  const services = ctx.services();
  const accounts = await services.accounts.list();
  // Each account's fixed store name: what its links carry as src.store and the verifier config's stores use.
  const storeOf = (id: string) => services.accounts.verifierStore(id) ?? '';
  for (const a of accounts) await ctx.out.record({ ...a, store: storeOf(a.id) });
  if (ctx.out.json) return 0;
  if (accounts.length === 0) {
    ctx.out.say('No storage accounts yet. Add one with: signet accounts add --help');
    return 0;
  }
  ctx.out.table(
    ['NAME', 'PROVIDER', 'BUCKETS', 'KEYS', 'LAST TEST', 'STORE', 'ID'],
    accounts.map((a) => [
      a.name,
      PROVIDERS[a.provider].shortLabel,
      bucketsText(a),
      a.credentials.hasCredentials === null
        ? 'keychain locked'
        : a.credentials.hasCredentials
          ? a.credentials.temporary
            ? 'temporary'
            : 'stored'
          : 'missing',
      a.lastTest ? `${a.lastTest.status} ${a.lastTest.testedAt.slice(0, 16).replace('T', ' ')}` : 'never',
      storeOf(a.id),
      a.id,
    ]),
  );
  if (accounts.some((a) => a.credentials.hasCredentials === null)) {
    ctx.out.note('The system keychain did not answer, so Signet could not check which accounts have keys.');
  }
  return 0;
};

const test: CommandHandler = async (ctx) => {
  const services = ctx.services();
  const account = await findAccount(services, ctx.positionals[0]!);
  ctx.out.progress(`Testing “${account.name}”…`);
  const view = await services.accounts.test(account.id);
  ctx.out.clearProgress();
  ctx.out.object(view);
  const result = view.lastTest;
  if (!ctx.out.json && result) printTest(ctx, view.name, result);
  return result?.status === 'ok' ? 0 : 1;
};

function printTest(ctx: CommandContext, name: string, r: TestResult): void {
  const { out } = ctx;
  out.say(`${name}: ${r.status.toUpperCase()} — ${r.headline}`);
  if (r.problem) out.say(`  ${r.problem.title} ${r.problem.advice}`);
  if (r.clock) {
    const s = Math.round(r.clock.offsetMs / 1000);
    out.say(
      `  Clock: ${s === 0 ? 'in step with the storage server' : `${Math.abs(s)} s ${s > 0 ? 'behind' : 'ahead of'} the storage server`}` +
        (r.clock.skewed ? ' (Signet corrects for it when signing)' : ''),
    );
  }
  if (r.buckets.length) {
    out.table(
      ['  BUCKET', 'REACHABLE', 'PRIVACY MODEL', 'EXPOSURE'],
      r.buckets.map((b) => [
        `  ${b.name}${b.isPrivateBucket ? ' (private bucket)' : ''}`,
        b.reachable ? 'yes' : `no: ${b.problem?.title ?? ''}`,
        `${b.privacy.model} (${b.privacy.source})`,
        b.exposure.level,
      ]),
    );
    for (const b of r.buckets) for (const a of b.advice) out.say(`  ${b.name}: ${a}`);
  }
  for (const n of r.notes) out.say(`  ${n.level === 'warning' ? 'Warning: ' : ''}${n.text}`);
}

const remove: CommandHandler = async (ctx) => {
  const services = ctx.services();
  const account = await findAccount(services, ctx.positionals[0]!);
  const result = await services.accounts.remove(account.id);
  ctx.out.object({
    id: result.id,
    name: account.name,
    keychainEntriesRemoved: result.keychainEntriesRemoved,
  });
  ctx.out.say(
    `Removed storage account “${account.name}” and ${result.keychainEntriesRemoved === 1 ? '1 keychain entry' : `${result.keychainEntriesRemoved} keychain entries`}.`,
  );
  return 0;
};

const verifierKey: CommandHandler = async (ctx) => {
  const v = ctx.values;
  const clear = flag(v, 'clear');
  const keyId = stringOption(v, 'access-key-id');
  if (
    clear &&
    (keyId !== undefined || flag(v, 'secret-stdin') || stringOption(v, 'secret-env') !== undefined)
  ) {
    throw new UsageError('--clear takes no key: give --clear alone, or --access-key-id with the secret');
  }
  if (!clear) {
    if (keyId === undefined) throw new UsageError('--access-key-id ID is required (or --clear)');
    const early = VerifierKeyInputSchema.shape.key.safeParse({
      accessKeyId: keyId,
      secretAccessKey: 'later',
    });
    if (!early.success) throw new UsageError(`--access-key-id: ${early.error.issues[0]!.message}`);
    secretSource(ctx, 'secret access key');
  }
  const services = ctx.services();
  const account = await findAccount(services, ctx.positionals[0]!);
  let key: { accessKeyId: string; secretAccessKey: string } | null = null;
  if (!clear) {
    const secret = await readSecret(ctx, 'secret access key');
    const parsed = VerifierKeyInputSchema.shape.key.safeParse({
      accessKeyId: keyId,
      secretAccessKey: secret.value,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UsageError(
        `${issue.path[0] === 'secretAccessKey' ? secret.flag : '--access-key-id'}: ${issue.message}`,
      );
    }
    key = parsed.data;
  }
  const view = await services.accounts.setVerifierKey(account.id, key);
  ctx.out.object({ id: view.id, name: view.name, verifierKey: view.verifierKey });
  ctx.out.say(
    key
      ? `Stored a read-only verifier key for “${view.name}” in the system keychain. Verifier configs exported from now on carry it instead of the account’s own key: export again (signet verifier-config).`
      : `Removed the verifier key of “${view.name}”. Verifier configs carry the account’s own key again.`,
  );
  return 0;
};

function bucketsText(a: AccountView): string {
  const list = a.buckets.length ? a.buckets.join(', ') : '(all the key can list)';
  return a.privateBucket ? `${list}; private: ${a.privateBucket}` : list;
}

export const accountCommands = {
  'accounts add': add,
  'accounts list': list,
  'accounts test': test,
  'accounts remove': remove,
  'accounts verifier-key': verifierKey,
} as const;
