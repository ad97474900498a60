import {
  Alert,
  Anchor,
  Button,
  Group,
  Loader,
  Modal,
  NativeSelect,
  NumberInput,
  Paper,
  Radio,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  ThemeIcon,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconFile,
  IconLink,
  IconLock,
  IconSettings,
} from '@tabler/icons-react';
import { useMutationState, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ENDED_STATES, type AccessChange, type JobView } from '../../../../shared/jobs/schemas';
import { PUBLIC_ACCESS, type AccessType } from '../../../../shared/library/schemas';
import {
  defaultFilename,
  EmailSchema,
  expiryPresetsFor,
  expiryProblem,
  FilenameSchema,
  LINK_KIND_TRADEOFF,
  MAX_DOWNLOADS,
  NoteSchema,
  OrderIdSchema,
  ProductSlugSchema,
  resolveExpiry,
  suggestSlug,
  type ExpiryPreset,
  type LinkCreated,
  type LinkKind,
} from '../../../../shared/links/schemas';
import type { Settings } from '../../../../shared/settings';
import { api, ApiError, unwrap } from '../../lib/api';
import { useJobEvents } from '../../lib/job-events';
import { formatCount } from '../../lib/library-format';
import { libraryKeys, useObjectDetails } from '../../lib/library-queries';
import { useCreateLink } from '../../lib/links-queries';
import { useSettings } from '../../lib/queries';
import { useAccessChange } from '../../lib/use-access-change';
import { AccessBadge } from '../library/AccessBadge';
import { AccessChangeDialog } from '../library/AccessChangeDialog';
import { CopyLink } from './CopyLink';
import {
  defaultExpiry,
  DURATION_UNITS,
  fitExpiry,
  formatFromNow,
  formatLocal,
  formatLocalShort,
  formatUtc,
  toExpiryInput,
  toLocalInput,
  type DurationUnit,
  type ExpiryChoice,
} from './expiry';
import { QrPanel } from './QrCode';

/** The file a link is for: a library row or its details. */
export interface LinkFile {
  id: number;
  /** The catalog bucket it is in: "Make it private first" asks for the change by bucket and id. */
  bucketId: number;
  key: string;
  name: string;
  access: AccessType;
  bucket?: string;
}

const KIND_LABELS: Record<LinkKind, string> = {
  verifier: 'Verifier link',
  direct: 'Direct storage link',
};

/** Short labels for the preset buttons (the long ones are the schema's). */
const PRESET_SHORT: Record<ExpiryPreset, string> = {
  '15m': '15 min',
  '1h': '1 hour',
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
  '1y': '1 year',
};

/** The form's buttons stick to the bottom of the modal's scroll area, over its padding. */
const STICKY_FOOTER = {
  position: 'sticky',
  bottom: 0,
  zIndex: 2,
  background: 'var(--mantine-color-body)',
  borderTop: '1px solid var(--mantine-color-default-border)',
  margin: '0 calc(-1 * var(--mantine-spacing-md)) calc(-1 * var(--mantine-spacing-md))',
  padding: 'var(--mantine-spacing-sm) var(--mantine-spacing-md)',
} as const;

/** The "absolute expiry" line follows the clock while the form is open. */
const CLOCK_TICK_MS = 15_000;

const zodCheck =
  (schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }) =>
  (value: unknown) => {
    const r = schema.safeParse(value);
    return r.success ? null : (r.error?.issues[0]?.message ?? 'Not valid');
  };

/**
 * The link generator: which file, which kind of link, how long it works, who it is for; then the link with
 * Copy and a QR code. A modal over the page it was opened from.
 */
export function LinkGenerator({
  file,
  onClose,
  onDone = onClose,
}: {
  file: LinkFile | null;
  onClose: () => void;
  /** "Done" after a link was made (default: the same as closing). */
  onDone?: () => void;
}) {
  const settings = useSettings();
  return (
    <Modal
      opened={file !== null}
      onClose={onClose}
      size={720}
      title={
        <Group gap="xs">
          <IconLink size={20} />
          <Text fw={700} size="lg">
            Create a download link
          </Text>
        </Group>
      }
    >
      {file &&
        (settings.isPending ? (
          <Group gap="xs">
            <Loader size="sm" />
            <Text size="sm">Loading your link defaults…</Text>
          </Group>
        ) : settings.isError ? (
          <Alert color="red" title="Could not load your settings">
            {settings.error.message}
          </Alert>
        ) : (
          <Generator key={file.id} file={file} settings={settings.data} onClose={onClose} onDone={onDone} />
        ))}
    </Modal>
  );
}

interface Fields {
  productSlug: string;
  orderId: string;
  email: string;
  note: string;
  limited: boolean;
  maxDownloads: number | string;
  filename: string;
}

function Generator({
  file,
  settings,
  onClose,
  onDone,
}: {
  file: LinkFile;
  settings: Settings;
  onClose: () => void;
  onDone: () => void;
}) {
  const hasVerifier = settings.verifierBaseUrl !== '';
  const [kind, setKind] = useState<LinkKind>(hasVerifier ? 'verifier' : 'direct');
  const [expiry, setExpiry] = useState<ExpiryChoice>(() =>
    defaultExpiry(settings.defaultLinkExpiryHours, hasVerifier ? 'verifier' : 'direct'),
  );
  const [now, setNow] = useState(() => Date.now());
  const [created, setCreated] = useState<LinkCreated | null>(null);
  const create = useCreateLink();
  // "Make it private first": when it was asked for, the job it started, and the file as the catalog has it since.
  const [privateSince, setPrivateSince] = useState<number | null>(null);
  const access = useAccessChange(() => undefined);
  const job = useMakePrivateJob(file.id, privateSince);
  const reread = useCurrentFile(file, privateSince !== null);
  const current = reread.data ?? file;
  const lost = reread.data === null;
  const jobEnded = job !== null && ENDED_STATES.has(job.state);
  // A link made while the file changes (or moves) could point where the file no longer is: it waits for the end.
  const changing = job !== null && (!jobEnded || reread.isFetching);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(t);
  }, []);

  const form = useForm<Fields>({
    initialValues: {
      productSlug: suggestSlug(file.name),
      orderId: '',
      email: '',
      note: '',
      limited: settings.defaultMaxDownloads !== null,
      maxDownloads: settings.defaultMaxDownloads ?? 5,
      filename: '',
    },
    validate: {
      productSlug: zodCheck(ProductSlugSchema),
      orderId: zodCheck(OrderIdSchema),
      email: zodCheck(EmailSchema),
      note: zodCheck(NoteSchema),
      filename: zodCheck(FilenameSchema),
      maxDownloads: (v, values) =>
        kind !== 'verifier' ||
        !values.limited ||
        (Number.isInteger(v) && Number(v) >= 1 && Number(v) <= MAX_DOWNLOADS)
          ? null
          : `A whole number from 1 to ${formatCount(MAX_DOWNLOADS)}`,
    },
  });

  const expiryInput = toExpiryInput(expiry);
  const expiresAt = expiryInput ? resolveExpiry(expiryInput, new Date(now)) : null;
  const problem = expiresAt
    ? expiryProblem(kind, expiresAt, new Date(now))
    : expiry.mode === 'date'
      ? 'Pick the date and time the link stops working.'
      : 'Enter how long the link works.';

  const chooseKind = (next: LinkKind) => {
    setKind(next);
    setExpiry((e) => fitExpiry(e, next));
  };

  const submit = form.onSubmit((values) => {
    if (!expiryInput || problem || changing || lost) return;
    create.mutate(
      {
        objectId: current.id,
        kind,
        productSlug: values.productSlug.trim(),
        orderId: values.orderId,
        email: values.email,
        note: values.note,
        maxDownloads: kind === 'verifier' && values.limited ? Number(values.maxDownloads) : null,
        filename: values.filename,
        expiry: expiryInput,
      },
      {
        onSuccess: setCreated,
        onError: (err) => {
          if (err instanceof ApiError && err.issues.length > 0)
            form.setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
        },
      },
    );
  });

  if (created) {
    return (
      <LinkResult
        link={created}
        onAnother={() => {
          setCreated(null);
          create.reset();
          setNow(Date.now());
        }}
        onDone={onDone}
      />
    );
  }

  const publicFile = PUBLIC_ACCESS.has(current.access);
  const makePrivate = () => {
    setPrivateSince(Date.now());
    access.begin({ kind: 'ids', bucketId: current.bucketId, ids: [current.id] }, 'private');
  };
  const presets = expiryPresetsFor(kind);
  const apiError =
    create.error && !(create.error instanceof ApiError && create.error.issues.length > 0)
      ? create.error
      : null;

  return (
    <form onSubmit={submit} aria-label="Create a download link">
      <Stack gap="md">
        <Paper withBorder p="sm" radius="md">
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon variant="light" size="lg" radius="md">
              <IconFile size={20} />
            </ThemeIcon>
            <div style={{ minWidth: 0, flex: 1 }}>
              <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                {current.name}
              </Text>
              <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                {current.bucket ? `${current.bucket} / ` : ''}
                {current.key}
              </Text>
            </div>
            <AccessBadge access={current.access} />
          </Group>
        </Paper>

        <AccessChangeNotice
          job={job}
          changing={changing}
          lost={lost}
          moved={current.id !== file.id ? (current.bucket ?? '') : null}
          privateNow={!publicFile}
        />
        {publicFile && !changing && !lost && (
          <PublicFileWarning file={current} busy={access.busy === 'private'} onMakePrivate={makePrivate} />
        )}

        <Radio.Group
          label="Kind of link"
          value={kind}
          onChange={(v) => chooseKind(v as LinkKind)}
          aria-label="Kind of link"
        >
          <SimpleGrid cols={2} spacing="sm" mt={6}>
            {(['verifier', 'direct'] as const).map((k) => (
              <Radio.Card
                key={k}
                value={k}
                radius="md"
                p="sm"
                disabled={k === 'verifier' && !hasVerifier}
                aria-label={KIND_LABELS[k]}
                style={
                  k === 'verifier' && !hasVerifier ? { opacity: 0.75, cursor: 'not-allowed' } : undefined
                }
              >
                <Group wrap="nowrap" align="flex-start" gap="sm">
                  <Radio.Indicator mt={2} disabled={k === 'verifier' && !hasVerifier} />
                  <div>
                    <Text fw={600} size="sm">
                      {KIND_LABELS[k]}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {LINK_KIND_TRADEOFF[k]}
                    </Text>
                  </div>
                </Group>
              </Radio.Card>
            ))}
          </SimpleGrid>
        </Radio.Group>
        {!hasVerifier && (
          <Text size="sm" c="dimmed" mt={-8}>
            Verifier links need your verifier’s address.{' '}
            <Anchor
              component="button"
              type="button"
              size="sm"
              onClick={() => {
                onDone();
                window.location.hash = '#/settings';
              }}
            >
              <Group gap={4} component="span">
                <IconSettings size={14} />
                Set your verifier address in Settings
              </Group>
            </Anchor>
          </Text>
        )}

        <ExpiryControls kind={kind} presets={presets} value={expiry} onChange={setExpiry} now={now} />
        <ExpirySummary expiresAt={expiresAt} problem={problem} now={now} />

        <SimpleGrid cols={2} spacing="sm" verticalSpacing="sm">
          <TextInput
            label="Product slug"
            description={
              kind === 'verifier'
                ? 'Part of the link: …/downloads/' + (form.values.productSlug || 'slug')
                : 'Names the product in your ledger'
            }
            withAsterisk
            {...form.getInputProps('productSlug')}
          />
          <TextInput
            label="Order or licence id"
            description={kind === 'verifier' ? 'Goes into the link, to trace it' : 'Kept in your ledger'}
            placeholder="e.g. 1042"
            {...form.getInputProps('orderId')}
          />
          <TextInput
            label="Customer email"
            description="Kept only on this computer, never in the link"
            placeholder="name@example.com"
            {...form.getInputProps('email')}
          />
          <TextInput
            label="Download file name"
            description="The name the customer’s browser saves"
            placeholder={defaultFilename(file.key)}
            {...form.getInputProps('filename')}
          />
        </SimpleGrid>
        <Textarea
          label="Note"
          description="Kept only on this computer, never in the link"
          placeholder="Anything you want to remember about this customer or order"
          autosize
          minRows={1}
          maxRows={4}
          {...form.getInputProps('note')}
        />

        {kind === 'verifier' ? (
          <Group align="flex-end" gap="md">
            <Switch
              label="Limit how many times it can be downloaded"
              {...form.getInputProps('limited', { type: 'checkbox' })}
              mb={8}
            />
            {form.values.limited && (
              <NumberInput
                label="Downloads"
                w={140}
                min={1}
                max={MAX_DOWNLOADS}
                allowDecimal={false}
                {...form.getInputProps('maxDownloads')}
              />
            )}
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            A direct storage link cannot count downloads: it works as often as anyone opens it until it
            expires.
          </Text>
        )}

        {apiError && (
          <Alert color="red" title="The link was not created">
            {apiError.message}
          </Alert>
        )}

        {/* Stays in view while the form scrolls on a small window: the way forward is always visible. */}
        <Group justify="space-between" gap="sm" wrap="nowrap" style={STICKY_FOOTER}>
          <Text size="sm" c="dimmed" truncate>
            {expiresAt && !problem ? `${KIND_LABELS[kind]} · works until ${formatLocalShort(expiresAt)}` : ''}
          </Text>
          <Group gap="sm" wrap="nowrap" style={{ flex: 'none' }}>
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              leftSection={<IconLink size={18} />}
              loading={create.isPending}
              disabled={!!problem || changing || lost}
            >
              Create link
            </Button>
          </Group>
        </Group>
      </Stack>
      {/* A portal: its buttons are outside this form in the page, so they never submit it. */}
      <AccessChangeDialog request={access.request} onClose={access.close} onStarted={() => undefined} />
    </form>
  );
}

/**
 * What the owner can do about a public file before linking it, following the access plan
 * (src/main/services/jobs/access-plan.ts): a file public by its own setting is made private where it is; a file
 * in a bucket open to everyone cannot be fixed on its own, only moved to the account's private bucket (main
 * refuses, with the reason, when the account has none).
 */
function PublicFileWarning({
  file,
  busy,
  onMakePrivate,
}: {
  file: LinkFile;
  busy: boolean;
  onMakePrivate: () => void;
}) {
  const ownSetting = file.access === 'public';
  const bucket = file.bucket ? `“${file.bucket}”` : 'Its bucket';
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={ownSetting ? 'This file is public' : 'This file’s whole bucket is public'}
    >
      <Stack gap="xs" align="flex-start">
        <Text size="sm">
          {ownSetting
            ? 'Anyone with its plain address can download it without a link, so a link adds no protection. ' +
              'Make it private first, then create the link: this window shows when it is done.'
            : `${bucket} lets anyone download every file in it, so a link adds no protection, and this cannot be ` +
              'changed for one file. Either make the bucket private at your storage provider, or move this file ' +
              'to your account’s private bucket and create the link after the move. A moved file gets a new ' +
              'address: links already issued for it stop working.'}
        </Text>
        <Button
          size="xs"
          variant={ownSetting ? 'filled' : 'light'}
          leftSection={<IconLock size={16} />}
          loading={busy}
          onClick={onMakePrivate}
        >
          {ownSetting ? 'Make it private first' : 'Move it to the private bucket'}
        </Button>
      </Stack>
    </Alert>
  );
}

/** How the make-private started here goes: running, done (and where the file is now), failed, or file lost. */
function AccessChangeNotice({
  job,
  changing,
  lost,
  moved,
  privateNow,
}: {
  job: JobView | null;
  changing: boolean;
  lost: boolean;
  /** The bucket the file was moved to ('' when its name is not known), null when it stayed where it was. */
  moved: string | null;
  privateNow: boolean;
}) {
  if (lost) {
    return (
      <Alert color="red" title="Signet cannot find this file any more" role="alert">
        It is no longer where it was, nor in the account’s private bucket. Sync the bucket in the Library,
        then open the file from where it is now to create its link.
      </Alert>
    );
  }
  if (!job) return null;
  if (changing) {
    const paused = job.state === 'paused';
    return (
      <Alert
        color="blue"
        variant="light"
        icon={paused ? <IconLock size={18} /> : <Loader size={16} />}
        title={paused ? 'Making this file private is paused' : 'Making this file private…'}
        role="status"
      >
        {paused
          ? 'Resume it in the jobs bar at the bottom of the window or on the Activity page; this window follows it, and the link can be created when it is done.'
          : 'Create the link when this is done: this window updates by itself.'}
      </Alert>
    );
  }
  if (job.state === 'done' && privateNow) {
    return (
      <Alert
        color="teal"
        variant="light"
        icon={<IconCircleCheck size={18} />}
        title="The file is private now"
        role="status"
      >
        {moved === null
          ? 'Only your links can download it. Create its link below.'
          : `It was moved to ${moved ? `“${moved}”` : 'the account’s private bucket'}; the link you create now points there.`}
      </Alert>
    );
  }
  return (
    <Alert color="red" variant="light" title="The file was not made private" role="status">
      {job.summary}
    </Alert>
  );
}

/**
 * True for a started make-private of exactly this one file: its variables name the file, and it answered a job
 * (the preview before it has the same variables but answers a plan).
 */
function isMakePrivateOf(variables: unknown, data: unknown, fileId: number): boolean {
  const v = variables as AccessChange | undefined;
  return (
    typeof data === 'object' &&
    data !== null &&
    'state' in data &&
    v?.access === 'private' &&
    v.selection.kind === 'ids' &&
    v.selection.ids.length === 1 &&
    v.selection.ids[0] === fileId
  );
}

/**
 * The job a "Make it private first" pressed at `since` started, as live as its last progress event. useAccessChange
 * starts it itself or through its confirmation dialog and tells no job id, so it is read from the mutation cache:
 * the newest successful start of a make-private of this one file since the button was pressed.
 */
function useMakePrivateJob(fileId: number, since: number | null): JobView | null {
  const started = useMutationState({
    filters: {
      status: 'success',
      predicate: (m) =>
        since !== null &&
        m.state.submittedAt >= since &&
        isMakePrivateOf(m.state.variables, m.state.data, fileId),
    },
    select: (m) => m.state.data as JobView,
  });
  const { live } = useJobEvents();
  const job = started.at(-1);
  return job ? (live.get(job.id)?.job ?? job) : null;
}

/**
 * The file as the catalog has it now, read again when a job ends (the job events refresh every library query).
 * Made private in place it keeps its id; moved to the account's private bucket it is a new object there, found by
 * its key. null: it is in neither place.
 */
function useCurrentFile(file: LinkFile, enabled: boolean) {
  return useQuery({
    queryKey: [...libraryKeys.all, 'link-file', file.id],
    enabled,
    retry: false,
    queryFn: async (): Promise<LinkFile | null> => {
      try {
        return { ...(await unwrap(api().library.object({ id: file.id }))), bucketId: file.bucketId };
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 'not-found')) throw err;
      }
      const buckets = await unwrap(api().library.buckets());
      const from = buckets.find((b) => b.id === file.bucketId);
      const to = buckets.find(
        (b) => b.accountId === from?.accountId && b.role === 'private' && b.id !== file.bucketId,
      );
      if (!from || !to) return null;
      const page = await unwrap(
        api().library.page({ bucketId: to.id, recursive: true, search: file.key, limit: 50 }),
      );
      const row = page.rows.find((r) => r.key === file.key);
      return row ? { ...(await unwrap(api().library.object({ id: row.id }))), bucketId: to.id } : null;
    },
  });
}

function ExpiryControls({
  kind,
  presets,
  value,
  onChange,
  now,
}: {
  kind: LinkKind;
  presets: ExpiryPreset[];
  value: ExpiryChoice;
  onChange: (next: ExpiryChoice) => void;
  now: number;
}) {
  const segment = value.mode === 'preset' ? value.preset : 'custom';
  return (
    <Stack gap={6}>
      <Text size="sm" fw={500} id="expiry-label">
        Link works for
      </Text>
      <SegmentedControl
        aria-labelledby="expiry-label"
        fullWidth
        value={segment}
        onChange={(v) =>
          onChange(
            v === 'custom'
              ? value.mode === 'preset'
                ? { mode: 'duration', amount: kind === 'direct' ? 3 : 14, unit: 'days' }
                : value
              : { mode: 'preset', preset: v as ExpiryPreset },
          )
        }
        data={[
          ...presets.map((p) => ({ value: p, label: PRESET_SHORT[p] })),
          { value: 'custom', label: 'Custom…' },
        ]}
      />
      {kind === 'direct' && (
        <Text size="xs" c="dimmed">
          30 days and 1 year are for verifier links: storage providers end direct links after 7 days.
        </Text>
      )}
      {value.mode !== 'preset' && (
        <Group align="flex-end" gap="sm">
          <SegmentedControl
            size="xs"
            aria-label="Custom expiry"
            value={value.mode}
            onChange={(m) =>
              onChange(
                m === 'date'
                  ? { mode: 'date', local: toLocalInput(new Date(now + 3 * 86_400_000)) }
                  : { mode: 'duration', amount: 3, unit: 'days' },
              )
            }
            data={[
              { value: 'duration', label: 'For a time' },
              { value: 'date', label: 'Until a date' },
            ]}
            mb={4}
          />
          {value.mode === 'duration' ? (
            <>
              <NumberInput
                label="How long"
                w={120}
                min={1}
                allowDecimal={false}
                value={value.amount}
                onChange={(v) => onChange({ ...value, amount: typeof v === 'number' ? v : '' })}
              />
              <NativeSelect
                aria-label="Unit"
                w={120}
                value={value.unit}
                onChange={(e) => onChange({ ...value, unit: e.currentTarget.value as DurationUnit })}
                data={(Object.keys(DURATION_UNITS) as DurationUnit[]).map((u) => ({ value: u, label: u }))}
              />
            </>
          ) : (
            <TextInput
              type="datetime-local"
              label="Stops working at (your time)"
              w={260}
              value={value.local}
              min={toLocalInput(new Date(now))}
              onChange={(e) => onChange({ mode: 'date', local: e.currentTarget.value })}
            />
          )}
        </Group>
      )}
    </Stack>
  );
}

/** The moment the link stops working, before it is made: local time, UTC, and how far off. */
function ExpirySummary({
  expiresAt,
  problem,
  now,
}: {
  expiresAt: Date | null;
  problem: string | null;
  now: number;
}) {
  if (problem) {
    return (
      <Alert color="red" variant="light" p="xs" role="alert" aria-label="Expiry">
        <Text size="sm">{problem}</Text>
      </Alert>
    );
  }
  if (!expiresAt) return null;
  return (
    <Paper
      withBorder
      p="xs"
      radius="md"
      bg="var(--mantine-color-default-hover)"
      role="status"
      aria-label="Expiry"
    >
      <Text size="sm">
        Stops working <b>{formatLocal(expiresAt)}</b> (your time, {formatFromNow(expiresAt, now)})
      </Text>
      <Text size="xs" c="dimmed">
        That is {formatUtc(expiresAt)}, the same moment for a customer anywhere.
      </Text>
    </Paper>
  );
}

/** The new link: copy it, scan it, or make another. */
function LinkResult({
  link,
  onAnother,
  onDone,
}: {
  link: LinkCreated;
  onAnother: () => void;
  onDone: () => void;
}) {
  const expires = new Date(link.expiresAt);
  const facts = [
    link.kind === 'verifier' ? 'Verifier link' : 'Direct storage link',
    link.maxDownloads === null
      ? link.kind === 'verifier'
        ? 'no download limit'
        : null
      : `${link.maxDownloads} download${link.maxDownloads === 1 ? '' : 's'}`,
    link.orderId ? `order ${link.orderId}` : null,
    link.email || null,
  ].filter(Boolean);
  return (
    <Stack gap="md" aria-label="New link">
      <Alert color="teal" icon={<IconCircleCheck size={20} />} title="Your link is ready">
        <Text size="sm">
          {facts.join(' · ')}. Works until <b>{formatLocal(expires)}</b> ({formatUtc(expires)}).
        </Text>
      </Alert>
      {link.warnings.map((w) => (
        <Alert key={w} color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
          {w}
        </Alert>
      ))}
      <Group align="flex-start" gap="lg" wrap="nowrap">
        <Stack gap="xs" style={{ flex: 1, minWidth: 0 }}>
          <Text size="sm" fw={500}>
            Paste it into your email to the customer:
          </Text>
          <CopyLink url={link.url} />
          <Text size="xs" c="dimmed">
            You find it again on the Links page, with its downloads
            {link.kind === 'verifier' ? ' and a button to revoke it' : ''}.
          </Text>
        </Stack>
        <QrPanel value={link.url} fileName={`${link.productSlug}-qr.png`} />
      </Group>
      <Group justify="flex-end" gap="sm">
        <Button
          variant="subtle"
          onClick={() => {
            onDone();
            window.location.hash = '#/links';
          }}
        >
          Open the Links page
        </Button>
        <Button variant="default" onClick={onAnother}>
          Create another link
        </Button>
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}

/** The generator for a catalog object known by id only (a ticked row): its details load first. */
export function LinkGeneratorForObject({
  object,
  onClose,
}: {
  object: { id: number; bucketId: number } | null;
  onClose: () => void;
}) {
  const details = useObjectDetails(object?.id ?? null);
  return (
    <LinkGenerator
      file={object && details.data ? { ...details.data, bucketId: object.bucketId } : null}
      onClose={onClose}
    />
  );
}
