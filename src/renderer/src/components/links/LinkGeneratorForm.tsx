import { Alert, Button, Group, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconFile, IconLink } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { ENDED_STATES } from '@shared/jobs/schemas';
import { PUBLIC_ACCESS } from '@shared/library/schemas';
import {
  EmailSchema,
  expiryPresetsFor,
  expiryProblem,
  FilenameSchema,
  MAX_DOWNLOADS,
  NoteSchema,
  OrderIdSchema,
  ProductSlugSchema,
  resolveExpiry,
  suggestSlug,
  type LinkCreated,
  type LinkKind,
} from '@shared/links/schemas';
import type { Settings } from '@shared/settings';
import { ApiError } from '../../lib/api';
import { formatCount } from '../../lib/library-format';
import { useCreateLink } from '../../lib/links-queries';
import { useAccessChange } from '../../lib/use-access-change';
import { AccessBadge } from '../library/AccessBadge';
import { AccessChangeDialog } from '../library/AccessChangeDialog';
import { defaultExpiry, fitExpiry, formatLocalShort, toExpiryInput, type ExpiryChoice } from './expiry';
import { ExpiryControls, ExpirySummary } from './ExpiryControls';
import { AccessChangeNotice, PublicFileWarning } from './LinkAccessNotices';
import { LinkCustomerFields, type LinkFields } from './LinkCustomerFields';
import type { LinkFile } from './link-file';
import { KIND_LABELS, LinkKindPicker } from './LinkKindPicker';
import { LinkResult } from './LinkResult';
import { useCurrentFile } from './use-current-file';
import { useMakePrivateJob } from './use-make-private-job';

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
 * The generator's form for one file, its settings loaded: which kind of link, how long it works, who it is for;
 * then the link itself. A public file is made private (or moved) from here first, and the form waits for it.
 */
export function LinkGeneratorForm({
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

  const form = useForm<LinkFields>({
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

        <LinkKindPicker kind={kind} hasVerifier={hasVerifier} onChange={chooseKind} onLeave={onDone} />

        <ExpiryControls kind={kind} presets={presets} value={expiry} onChange={setExpiry} now={now} />
        <ExpirySummary expiresAt={expiresAt} problem={problem} now={now} />

        <LinkCustomerFields form={form} kind={kind} fileKey={file.key} />

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
