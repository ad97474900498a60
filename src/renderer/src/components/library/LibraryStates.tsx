import { Alert, Button, Group, Skeleton, Stack, Text } from '@mantine/core';
import {
  IconBucket,
  IconCloudDownload,
  IconCloudOff,
  IconFolderOpen,
  IconRefresh,
  IconSearch,
} from '@tabler/icons-react';
import { EmptyState as Empty } from '../EmptyState';

/**
 * Every state the library can be in other than "here are your files", each saying what happened and what
 * to do next, with the button that does it.
 */

const goToAccounts = () => (window.location.hash = '#/accounts');

export function NoAccounts() {
  return (
    <Empty
      icon={<IconCloudOff size={26} />}
      title="Connect your storage on the Accounts page"
      action={
        <Button variant="light" onClick={goToAccounts}>
          Go to Accounts
        </Button>
      }
    >
      Your product files live in cloud storage (Amazon S3, Cloudflare R2, Backblaze B2, Wasabi, your own MinIO
      or Ceph…). Add the account there, and its buckets show up here with every file and who can read it.
    </Empty>
  );
}

export function NoBuckets() {
  return (
    <Empty
      icon={<IconBucket size={26} />}
      title="No bucket to show yet"
      action={
        <Button variant="light" onClick={goToAccounts}>
          Go to Accounts
        </Button>
      }
    >
      Your storage account lists no bucket for Signet. On the Accounts page, edit the account and add the
      buckets your files are in under “Buckets Signet uses”, then press Test.
    </Empty>
  );
}

export function NotSynced({
  bucket,
  onSync,
  syncing,
}: {
  bucket: string;
  onSync: () => void;
  syncing: boolean;
}) {
  if (syncing) {
    return (
      <Empty icon={<IconCloudDownload size={26} />} title={`Listing the files in ${bucket}…`}>
        The files appear here when the first sync finishes. It only reads the bucket: nothing in it changes.
      </Empty>
    );
  }
  return (
    <Empty
      icon={<IconCloudDownload size={26} />}
      title={`Not synced yet — press Sync to list the files in ${bucket}`}
      action={
        <Button leftSection={<IconRefresh size={18} />} onClick={onSync}>
          Sync now
        </Button>
      }
    >
      Signet keeps its own list of your files so the library opens at once, even with a million files. A sync
      asks the storage for the list and reads who can open each file. It changes nothing in the bucket.
    </Empty>
  );
}

export function NoFiles({
  search,
  filtered,
  where,
  onClearSearch,
  onClearFilters,
}: {
  search: string;
  filtered: boolean;
  where: string;
  onClearSearch: () => void;
  onClearFilters: () => void;
}) {
  if (search) {
    return (
      <Empty
        icon={<IconSearch size={26} />}
        color="gray"
        title={`No files match “${search}” in ${where}`}
        action={
          <Button variant="light" onClick={onClearSearch}>
            Clear search
          </Button>
        }
      >
        The search looks at every file in this folder and the folders below it
        {filtered ? ', with the access filters above' : ''}. Check the spelling, or go up a folder to search
        more.
      </Empty>
    );
  }
  if (filtered) {
    return (
      <Empty
        icon={<IconSearch size={26} />}
        color="gray"
        title="No files match these filters"
        action={
          <Button variant="light" onClick={onClearFilters}>
            Clear filters
          </Button>
        }
      >
        Nothing in {where} has the access types you picked.
      </Empty>
    );
  }
  return (
    <Empty icon={<IconFolderOpen size={26} />} color="gray" title={`${where} is empty`}>
      The last sync found no files here. If you added some since, press Sync.
    </Empty>
  );
}

export function LoadError({
  what,
  message,
  onRetry,
}: {
  what: string;
  message: string;
  onRetry: () => void;
}) {
  return (
    <Alert color="red" title={`Could not load ${what}`}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{message}</Text>
        <Button
          size="xs"
          color="red"
          variant="light"
          leftSection={<IconRefresh size={14} />}
          onClick={onRetry}
        >
          Retry
        </Button>
      </Stack>
    </Alert>
  );
}

/** Grey bars in the table's shape while the first page loads (usually a blink: it comes from SQLite). */
export function TableSkeleton() {
  return (
    <Stack gap={10} p="sm" aria-label="Loading files" role="status">
      {Array.from({ length: 10 }, (_, i) => (
        <Group key={i} gap="md" wrap="nowrap">
          <Skeleton height={16} width={16} radius="sm" />
          <Skeleton height={14} width={`${30 + ((i * 17) % 25)}%`} />
          <Skeleton height={14} width="15%" />
          <Skeleton height={14} width="10%" />
          <Skeleton height={14} width="14%" />
        </Group>
      ))}
    </Stack>
  );
}
