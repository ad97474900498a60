import {
  Alert,
  Button,
  Card,
  Chip,
  CloseButton,
  Group,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconFileSpreadsheet,
  IconLink,
  IconPhoto,
  IconRefresh,
  IconSearch,
  IconSettings,
} from '@tabler/icons-react';
import { useCallback, useMemo, useState } from 'react';
import type { LinkView, LinksPageInput } from '@shared/links/schemas';
import { BatchModal } from '../components/links/BatchModal';
import { LinkDetailsModal } from '../components/links/LinkDetailsModal';
import { LinksTable } from '../components/links/LinksTable';
import { ReissueModal } from '../components/links/ReissueModal';
import { RevokeModal } from '../components/links/RevokeModal';
import { EmptyState as Empty } from '../components/EmptyState';
import { LoadError, TableSkeleton } from '../components/library/LibraryStates';
import { formatCount, plural } from '../lib/library-format';
import { useAnyLinks, useLinkPages, useLinkUsage } from '../lib/links-queries';
import { useSettings } from '../lib/queries';
import { useRouteDetail } from '../lib/routes';

const SEARCH_DEBOUNCE_MS = 200;
/** `links:usage` takes at most this many links per call. */
const USAGE_BATCH = 500;

type StatusFilter = NonNullable<LinksPageInput['status']>;
type KindFilter = NonNullable<LinksPageInput['kind']>;

const go = (route: string) => (window.location.hash = `#/${route}`);

export function LinksPage() {
  const settings = useSettings();
  const any = useAnyLinks();
  const [batchOpen, setBatchOpen] = useState(false);
  const noVerifier = settings.data?.verifierBaseUrl === '';

  let body;
  if (any.isPending) body = <TableSkeleton />;
  else if (any.isError)
    body = <LoadError what="your links" message={any.error.message} onRetry={() => void any.refetch()} />;
  else if (!any.data)
    body = (
      <Empty
        icon={<IconLink size={26} />}
        title="No links yet — create one from the Library"
        action={
          <>
            <Button leftSection={<IconPhoto size={18} />} onClick={() => go('library')}>
              Go to the Library
            </Button>
            <Button
              variant="default"
              leftSection={<IconFileSpreadsheet size={18} />}
              onClick={() => setBatchOpen(true)}
            >
              Issue links from a CSV…
            </Button>
          </>
        }
      >
        Open a product file in the Library and press “Create link”: pick how long it works and who it is for,
        then copy the link into your email to the customer. Every link you create is listed here with its
        downloads, and you can revoke it.
      </Empty>
    );
  else body = <Ledger />;

  return (
    <Stack gap="sm" style={{ minHeight: 'calc(100dvh - 2 * var(--app-shell-padding))' }}>
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <div>
          <Title order={2}>Links</Title>
          <Text c="dimmed">
            Every download link you issued: copy it again, see its downloads, revoke or reissue it.
          </Text>
        </div>
        {any.data && (
          <Button
            variant="default"
            leftSection={<IconFileSpreadsheet size={18} />}
            onClick={() => setBatchOpen(true)}
          >
            Issue links from a CSV…
          </Button>
        )}
      </Group>
      {noVerifier && (
        <Alert
          color="blue"
          variant="light"
          icon={<IconSettings size={18} />}
          title="Set your verifier address in Settings"
        >
          <Stack gap="xs" align="flex-start">
            <Text size="sm">
              Links checked by your verifier can be limited to a number of downloads, revoked, and last longer
              than 7 days. Until its address is set, Signet makes direct storage links only.
            </Text>
            <Button size="xs" variant="light" onClick={() => go('settings')}>
              Open Settings
            </Button>
          </Stack>
        </Alert>
      )}
      {body}
      <BatchModal opened={batchOpen} onClose={() => setBatchOpen(false)} />
    </Stack>
  );
}

function Ledger() {
  const [searchText, setSearchText] = useState('');
  const [search] = useDebouncedValue(searchText.trim(), SEARCH_DEBOUNCE_MS);
  const [status, setStatus] = useState<StatusFilter>('all');
  const [kind, setKind] = useState<KindFilter>('all');
  // `#/links/shared` opens the ledger on the shared links.
  const detail = useRouteDetail();
  const [shared, setShared] = useState(detail === 'shared');
  const [revoking, setRevoking] = useState<LinkView | null>(null);
  const [reissuing, setReissuing] = useState<LinkView | null>(null);
  const [details, setDetails] = useState<LinkView | null>(null);
  const [checking, setChecking] = useState<ReadonlySet<string>>(new Set());

  const query = useMemo(() => ({ search, status, kind, shared }), [search, status, kind, shared]);
  const pages = useLinkPages(query);
  const rows = useMemo(() => pages.data?.pages.flatMap((p) => p.rows) ?? [], [pages.data]);
  const usage = useLinkUsage();
  const filtered = search !== '' || status !== 'all' || kind !== 'all' || shared;
  const showAll = () => {
    setSearchText('');
    setStatus('all');
    setKind('all');
    setShared(false);
  };
  /** Finds one link of the ledger by its id (the search matches link ids), whatever the filters were. */
  const showLink = useCallback((jti: string) => {
    setDetails(null);
    setStatus('all');
    setKind('all');
    setShared(false);
    setSearchText(jti);
  }, []);

  const checkUsage = useCallback(
    (jtis: string[]) => {
      if (jtis.length === 0) return;
      setChecking((c) => new Set([...c, ...jtis]));
      const batches: string[][] = [];
      for (let i = 0; i < jtis.length; i += USAGE_BATCH) batches.push(jtis.slice(i, i + USAGE_BATCH));
      void Promise.all(batches.map((b) => usage.mutateAsync(b)))
        .catch((error: Error) =>
          notifications.show({
            color: 'red',
            title: 'Could not ask the verifier for downloads',
            message: error.message,
          }),
        )
        .finally(() =>
          setChecking((c) => {
            const next = new Set(c);
            for (const j of jtis) next.delete(j);
            return next;
          }),
        );
    },
    [usage],
  );

  const verifierRows = rows.filter((r) => r.kind === 'verifier');
  const { fetchNextPage, hasNextPage, isFetchingNextPage } = pages;

  return (
    <>
      <Group gap="md" align="flex-end" wrap="wrap">
        <TextInput
          label="Search links"
          placeholder="File, product, order, email, note…"
          w={320}
          leftSection={<IconSearch size={16} />}
          value={searchText}
          onChange={(e) => setSearchText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setSearchText('');
          }}
          rightSection={
            searchText ? (
              <CloseButton size="sm" aria-label="Clear search" onClick={() => setSearchText('')} />
            ) : null
          }
        />
        <LabelledSegments
          id="links-status-label"
          label="Status"
          value={status}
          onChange={(v) => setStatus(v as StatusFilter)}
          data={[
            { value: 'all', label: 'All' },
            { value: 'active', label: 'Active' },
            { value: 'revoked', label: 'Revoked' },
            { value: 'expired', label: 'Expired' },
            { value: 'replaced', label: 'Replaced' },
          ]}
        />
        <LabelledSegments
          id="links-kind-label"
          label="Kind"
          value={kind}
          onChange={(v) => setKind(v as KindFilter)}
          data={[
            { value: 'all', label: 'All' },
            { value: 'verifier', label: 'Verifier' },
            { value: 'direct', label: 'Direct' },
          ]}
        />
        <Tooltip
          label="Links your verifier saw used from more places than your share guard allows (Settings → Share guard)"
          openDelay={400}
          multiline
          maw={320}
        >
          <Chip checked={shared} onChange={setShared} color="orange" variant="outline" mb={4}>
            Shared only
          </Chip>
        </Tooltip>
      </Group>
      {pages.data && rows.length > 0 && (
        <Group justify="space-between" gap="xs">
          <Text size="sm" c="dimmed" aria-live="polite">
            {hasNextPage
              ? `Showing the newest ${formatCount(rows.length)} ${filtered ? 'matching ' : ''}links`
              : `${plural(rows.length, filtered ? 'matching link' : 'link')}`}
          </Text>
          <Tooltip label="Ask your verifier how often each link shown was downloaded" openDelay={400}>
            <Button
              size="compact-sm"
              variant="subtle"
              leftSection={<IconRefresh size={16} />}
              disabled={verifierRows.length === 0}
              loading={checking.size > 0 && checking.size >= verifierRows.length}
              onClick={() => checkUsage(verifierRows.map((r) => r.jti))}
            >
              Check downloads
            </Button>
          </Tooltip>
        </Group>
      )}
      {pages.isPending ? (
        <Card withBorder padding={0}>
          <TableSkeleton />
        </Card>
      ) : pages.isError ? (
        <LoadError what="your links" message={pages.error.message} onRetry={() => void pages.refetch()} />
      ) : rows.length === 0 ? (
        <Empty
          icon={<IconSearch size={26} />}
          color="gray"
          title={
            search
              ? `No links match “${search}”`
              : shared && status === 'all' && kind === 'all'
                ? 'No link was seen shared'
                : 'No links match these filters'
          }
          action={
            <Button variant="light" onClick={showAll}>
              Show all links
            </Button>
          }
        >
          {shared && !search
            ? 'A link is shared when your verifier saw it used from more places than your share guard allows. Press “Check downloads” to ask your verifier about the links shown.'
            : 'The search looks at the file, product slug, order, email, note and link id.'}
        </Empty>
      ) : (
        <Card withBorder padding={0}>
          <LinksTable
            rows={rows}
            hasMore={hasNextPage}
            loadingMore={isFetchingNextPage}
            onLoadMore={() => void fetchNextPage()}
            onRevoke={setRevoking}
            onReissue={setReissuing}
            onDetails={setDetails}
            onShowLink={showLink}
            onCheckUsage={checkUsage}
            checking={checking}
            dimmed={pages.isPlaceholderData}
          />
        </Card>
      )}
      <LinkDetailsModal
        link={details}
        onClose={() => setDetails(null)}
        onRevoke={(link) => {
          setDetails(null);
          setRevoking(link);
        }}
        onReissue={(link) => {
          setDetails(null);
          setReissuing(link);
        }}
        onShowLink={showLink}
      />
      <RevokeModal link={revoking} onClose={() => setRevoking(null)} />
      <ReissueModal link={reissuing} onClose={() => setReissuing(null)} />
    </>
  );
}

/** A segmented filter with a visible label that names it for screen readers too. */
function LabelledSegments({
  id,
  label,
  value,
  onChange,
  data,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  data: { value: string; label: string }[];
}) {
  return (
    <div>
      <Text size="sm" fw={500} mb={4} id={id}>
        {label}
      </Text>
      <SegmentedControl aria-labelledby={id} value={value} onChange={onChange} data={data} />
    </div>
  );
}
