import { Button, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useDebouncedValue, useLocalStorage } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconCloudUpload, IconRefresh } from '@tabler/icons-react';
import { useCallback, useMemo, useState } from 'react';
import type { BucketView, ObjectQuery, ObjectRow, Sort, VerifySummary } from '@shared/library/schemas';
import { AccessChangeDialog } from '../components/library/AccessChangeDialog';
import { BucketPicker } from '../components/library/BucketPicker';
import { BucketSummary } from '../components/library/BucketSummary';
import { FileDropZone } from '../components/library/FileDropZone';
import { FolderBreadcrumbs } from '../components/library/FolderBreadcrumbs';
import { folderLabel, formatCount, plural, pluralTotal } from '../lib/library-format';
import { type FilterValues, LibraryFilters } from '../components/library/LibraryFilters';
import {
  LoadError,
  NoAccounts,
  NoBuckets,
  NoFiles,
  NotSynced,
  TableSkeleton,
} from '../components/library/LibraryStates';
import { ObjectDrawer } from '../components/library/ObjectDrawer';
import { ObjectTable } from '../components/library/ObjectTable';
import { SelectionBar } from '../components/library/SelectionBar';
import { SyncProgress } from '../components/library/SyncProgress';
import { UploadDialog, type UploadRequest } from '../components/library/UploadDialog';
import { useJobEvents } from '../lib/job-events';
import { useChooseFiles } from '../lib/jobs-queries';
import { useAccessChange } from '../lib/use-access-change';
import { useLibrarySelection } from '../lib/library-selection';
import { VerifyResultModal } from '../components/library/VerifyResultModal';
import {
  useBuckets,
  useCancelTask,
  useObjectPages,
  useRunningSyncs,
  useRunningTask,
  useSync,
  useTaskProgress,
  useVerify,
} from '../lib/library-queries';
import { syncTaskId, VERIFY_TASK_PREFIX } from '@shared/tasks/task-ids';
import { useAccounts } from '../lib/queries';

/** Typing settles for this long before the search goes to main: fast enough to feel live, not per keystroke. */
const SEARCH_DEBOUNCE_MS = 150;

const NO_FILTERS: FilterValues = { search: '', access: [], leaksOnly: false };

export function LibraryPage() {
  const accounts = useAccounts();
  const buckets = useBuckets();
  const [storedBucketId, setStoredBucketId] = useLocalStorage<number | null>({
    key: 'signet.library.bucket',
    defaultValue: null,
    getInitialValueInEffect: false,
  });

  const list = buckets.data ?? [];
  // The bucket last looked at, else the first one the shop works in.
  const bucket =
    list.find((b) => b.id === storedBucketId) ??
    list.find((b) => b.configured && b.role === 'files') ??
    list[0];

  let body;
  if (buckets.isPending || accounts.isPending) body = <TableSkeleton />;
  else if (buckets.isError)
    body = (
      <LoadError what="your buckets" message={buckets.error.message} onRetry={() => void buckets.refetch()} />
    );
  else if (accounts.data?.length === 0) body = <NoAccounts />;
  else if (!bucket) body = <NoBuckets />;
  // Keyed by bucket: another bucket starts at its top with no filters, selection or open file.
  else body = <BucketLibrary key={bucket.id} bucket={bucket} />;

  return (
    <Stack
      gap="sm"
      // The job dock (the app shell's footer) takes its height from the bottom while jobs run.
      style={{
        height: 'calc(100dvh - var(--app-shell-footer-offset, 0rem) - 2 * var(--app-shell-padding))',
        minHeight: 560,
      }}
    >
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <div>
          <Title order={2}>Library</Title>
          <Text c="dimmed">Every file in your storage, and who can download it.</Text>
        </div>
        {bucket && (
          <Group align="flex-end" gap="sm">
            <BucketPicker buckets={list} value={bucket.id} onChange={setStoredBucketId} />
            <SyncButton bucket={bucket} />
          </Group>
        )}
      </Group>
      {body}
    </Stack>
  );
}

/** The sync runs in main; its state lives in the query client so leaving the page does not lose it. */
function useBucketSync(bucket: BucketView) {
  const running = useRunningSyncs();
  const syncing = running.some((s) => s.accountId === bucket.accountId && s.bucket === bucket.name);
  const sync = useSync({
    onSuccess: (summary) =>
      notifications.show({
        color: 'teal',
        title: `Synced ${summary.bucket}`,
        message: `${plural(summary.objects, 'file')} listed (${formatCount(summary.added)} new, ${formatCount(
          summary.updated,
        )} changed, ${formatCount(summary.removed)} gone) in ${summary.seconds.toFixed(1)} s.`,
      }),
    onError: (error, input, cancelled) =>
      notifications.show(
        cancelled
          ? {
              color: 'gray',
              title: `Sync of ${input.bucket} cancelled`,
              message: 'The files listed so far are kept. Press Sync to list the whole bucket again.',
            }
          : { color: 'red', title: `Sync of ${input.bucket} did not finish`, message: error.message },
      ),
  });
  return {
    syncing,
    start: () => sync.mutate({ accountId: bucket.accountId, bucket: bucket.name }),
  };
}

function SyncButton({ bucket }: { bucket: BucketView }) {
  const { syncing, start } = useBucketSync(bucket);
  // Not Mantine's `loading`, which hides the label: the button keeps saying what it is doing.
  return (
    <Button
      leftSection={syncing ? <Loader size={16} color="gray" /> : <IconRefresh size={18} />}
      disabled={!bucket.configured || syncing}
      onClick={start}
    >
      {syncing ? 'Syncing…' : 'Sync'}
    </Button>
  );
}

function BucketLibrary({ bucket }: { bucket: BucketView }) {
  const { syncing, start } = useBucketSync(bucket);
  const taskId = syncTaskId(bucket.accountId, bucket.name);
  const syncProgress = useTaskProgress(syncing ? taskId : null);
  const cancel = useCancelTask();

  const [folder, setFolder] = useState('');
  const [filters, setFilters] = useState<FilterValues>(NO_FILTERS);
  const [search] = useDebouncedValue(filters.search.trim(), SEARCH_DEBOUNCE_MS);
  const [sort, setSort] = useState<Sort>({ column: 'name', direction: 'asc' });
  const [openRow, setOpenRow] = useState<ObjectRow | null>(null);
  const [verifyResult, setVerifyResult] = useState<VerifySummary | null>(null);

  const filtered = filters.access.length > 0 || filters.leaksOnly;
  const query = useMemo<ObjectQuery>(
    () => ({
      bucketId: bucket.id,
      folder,
      // A search or filter asks "which files, anywhere below here?": the folder's direct children would hide
      // most answers. Plain browsing shows one folder at a time.
      recursive: search !== '' || filters.access.length > 0 || filters.leaksOnly,
      access: filters.access,
      search,
      leaksOnly: filters.leaksOnly,
    }),
    [bucket.id, folder, search, filters.access, filters.leaksOnly],
  );
  // Uploads add rows and access changes change them as a job goes: the table follows, as during a sync.
  const jobHere = useJobRunningOn(bucket);
  const pages = useObjectPages(query, sort, syncing || jobHere);
  const rows = useMemo(() => pages.data?.pages.flatMap((p) => p.rows) ?? [], [pages.data]);
  const first = pages.data?.pages[0];
  const folders = first?.folders ?? [];
  const total = first?.total ?? 0;
  // A search's count stops at its cap ("10,000+ files"); selecting all of them still acts on every one.
  const totalCapped = first?.totalCapped ?? false;
  const selection = useLibrarySelection(query, total);

  const verify = useVerify();
  const verifyProgress = useRunningTask(verify.isPending ? VERIFY_TASK_PREFIX : null);

  const { fetchNextPage, hasNextPage, isFetchingNextPage } = pages;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const showLeaks = () => {
    setFolder('');
    setFilters({ ...NO_FILTERS, leaksOnly: true });
    setVerifyResult(null);
  };
  const where = folderLabel(folder, bucket.name);
  const neverSynced = bucket.lastSyncAt === null && bucket.objects === 0;

  const upload = useUpload(bucket, folder);
  const access = useAccessChange(selection.clear);
  const changeAccess = (wanted: 'private' | 'public') => {
    const chosen = selection.toSelection();
    if (chosen) access.begin(chosen, wanted);
  };

  const runVerify = () => {
    const chosen = selection.toSelection();
    if (!chosen) return;
    verify.mutate(chosen, {
      onSuccess: setVerifyResult,
      onError: (error) =>
        notifications.show({
          color: 'red',
          title: 'The access check did not finish',
          message: error.message,
        }),
    });
  };

  return (
    <>
      {syncing && (
        <SyncProgress
          bucket={bucket.name}
          progress={syncProgress}
          cancelling={cancel.isPending}
          onCancel={() => cancel.mutate(taskId)}
        />
      )}
      {neverSynced ? (
        <NotSynced bucket={bucket.name} onSync={start} syncing={syncing} />
      ) : (
        <>
          <BucketSummary bucket={bucket} onShowLeaks={showLeaks} />
          <LibraryFilters
            values={filters}
            folderName={where}
            onChange={(next) => setFilters((f) => ({ ...f, ...next }))}
          />
          <Group justify="space-between" gap="xs" wrap="nowrap">
            <FolderBreadcrumbs bucket={bucket.name} folder={folder} onOpen={setFolder} />
            <Group gap="sm" wrap="nowrap">
              {first && (
                <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }} aria-live="polite">
                  {query.recursive
                    ? `${pluralTotal(total, totalCapped, 'file')} found in ${where} and below`
                    : [
                        folders.length > 0 ? plural(folders.length, 'folder') : null,
                        pluralTotal(total, totalCapped, 'file'),
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                </Text>
              )}
              <Button
                size="compact-sm"
                leftSection={<IconCloudUpload size={16} />}
                loading={upload.choosing}
                disabled={!bucket.configured}
                onClick={upload.choose}
                title={`Upload files from this computer to ${where}`}
              >
                Upload files
              </Button>
            </Group>
          </Group>
          <SelectionBar
            selection={selection}
            total={total}
            totalCapped={totalCapped}
            verifying={verify.isPending}
            progress={verifyProgress}
            onVerify={runVerify}
            onCancelVerify={verifyProgress ? () => cancel.mutate(verifyProgress.taskId) : null}
            changingAccess={access.busy}
            onChangeAccess={changeAccess}
          />
          <FileDropZone where={where} onPaths={upload.open}>
            {pages.isPending ? (
              <Card withBorder padding={0}>
                <TableSkeleton />
              </Card>
            ) : pages.isError ? (
              <LoadError
                what="the files"
                message={pages.error.message}
                onRetry={() => void pages.refetch()}
              />
            ) : rows.length === 0 && folders.length === 0 ? (
              <NoFiles
                search={search}
                filtered={filtered}
                where={where}
                onClearSearch={() => setFilters((f) => ({ ...f, search: '' }))}
                onClearFilters={() => setFilters((f) => ({ ...f, access: [], leaksOnly: false }))}
              />
            ) : (
              <Card
                withBorder
                padding={0}
                style={{ flex: 1, minHeight: 280, display: 'flex', flexDirection: 'column' }}
              >
                <ObjectTable
                  label={`Files in ${where}`}
                  folders={folders}
                  rows={rows}
                  total={total}
                  totalCapped={totalCapped}
                  hasMore={hasNextPage}
                  loadingMore={isFetchingNextPage}
                  onLoadMore={loadMore}
                  sort={sort}
                  onSort={setSort}
                  selection={selection}
                  onOpenFolder={setFolder}
                  onOpenObject={setOpenRow}
                  dimmed={pages.isPlaceholderData}
                />
              </Card>
            )}
          </FileDropZone>
        </>
      )}
      <ObjectDrawer row={openRow} bucketId={bucket.id} onClose={() => setOpenRow(null)} />
      <UploadDialog request={upload.request} onClose={upload.close} />
      <AccessChangeDialog request={access.request} onClose={access.close} onStarted={selection.clear} />
      <VerifyResultModal
        summary={verifyResult}
        onClose={() => setVerifyResult(null)}
        onShowLeaks={showLeaks}
      />
    </>
  );
}

/** Whether a job is changing this bucket right now (from its progress events). */
function useJobRunningOn(bucket: BucketView): boolean {
  const { live } = useJobEvents();
  for (const { job } of live.values())
    if (job.state === 'running' && job.accountId === bucket.accountId && job.bucket === bucket.name)
      return true;
  return false;
}

/** "Upload files" and drops: the file dialog (in main), then the upload dialog for the chosen paths. */
function useUpload(bucket: BucketView, folder: string) {
  const choose = useChooseFiles();
  const [request, setRequest] = useState<UploadRequest | null>(null);
  const open = (paths: string[]) =>
    setRequest({ bucketId: bucket.id, bucketName: bucket.name, folder, paths });
  return {
    request,
    open,
    close: () => setRequest(null),
    choosing: choose.isPending,
    choose: () =>
      choose.mutate(undefined, {
        // No paths: the owner closed the dialog, which needs no answer.
        onSuccess: (paths) => paths.length > 0 && open(paths),
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: 'Could not open the file chooser',
            message: error.message,
          }),
      }),
  };
}
