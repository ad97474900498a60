import {
  ActionIcon,
  Alert,
  Button,
  CopyButton,
  DataList,
  Drawer,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconCheck, IconCopy, IconLink } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import type { ObjectDetails, ObjectRow } from '@shared/library/schemas';
import { useObjectDetails } from '../../lib/library-queries';
import { LinkGenerator, type LinkFile } from '../links/LinkGenerator';
import { AccessBadge, LEAK_EXPLANATION, LeakBadge } from './AccessBadge';
import { describeStatus, formatBytes, formatDateTime, friendlyType } from '../../lib/library-format';

/** S3's grantee URIs as people say them. */
const GRANTEES: Record<string, string> = {
  'http://acs.amazonaws.com/groups/global/AllUsers': 'Everyone (anonymous)',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers': 'Any account holder at the provider',
  'http://acs.amazonaws.com/groups/s3/LogDelivery': 'The provider’s log delivery',
};

/**
 * One file in full: what it is, who can read it and why, the plain address, and what strangers got each
 * time Signet checked. Opens on a row's click or Enter; the row it was opened from is shown at once while
 * the details load.
 */
export function ObjectDrawer({
  row,
  bucketId,
  onClose,
}: {
  row: ObjectRow | null;
  /** The catalog bucket the rows are from (the link generator's "Make it private first" needs it). */
  bucketId: number;
  onClose: () => void;
}) {
  const details = useObjectDetails(row?.id ?? null);
  // The link generator takes the drawer's place while it is open; closing it comes back here.
  const [linking, setLinking] = useState<LinkFile | null>(null);
  return (
    <>
      <Drawer
        opened={row !== null && linking === null}
        onClose={onClose}
        position="right"
        size={480}
        title={
          <Text fw={700} size="lg" style={{ overflowWrap: 'anywhere' }}>
            {row?.name}
          </Text>
        }
      >
        {row &&
          (details.isPending ? (
            <Group gap="xs">
              <Loader size="sm" />
              <Text size="sm">Loading the file’s details…</Text>
            </Group>
          ) : details.isError ? (
            <Alert color="red" title="Could not load this file’s details">
              <Stack gap="xs" align="flex-start">
                <Text size="sm">{details.error.message}</Text>
                <Button size="xs" variant="white" color="red" onClick={() => void details.refetch()}>
                  Retry
                </Button>
              </Stack>
            </Alert>
          ) : (
            <Details object={details.data} onCreateLink={() => setLinking({ ...details.data, bucketId })} />
          ))}
      </Drawer>
      <LinkGenerator
        file={linking}
        onClose={() => setLinking(null)}
        onDone={() => {
          setLinking(null);
          onClose();
        }}
      />
    </>
  );
}

function Details({ object, onCreateLink }: { object: ObjectDetails; onCreateLink: () => void }) {
  return (
    <Stack gap="lg">
      <Button leftSection={<IconLink size={18} />} onClick={onCreateLink}>
        Create link
      </Button>

      <Stack gap={6}>
        <Group gap={6}>
          <AccessBadge access={object.access} />
          {object.leak && <LeakBadge />}
        </Group>
        <Text size="sm">{object.accessReason}</Text>
        {object.accessCheckedAt && (
          <Text size="xs" c="dimmed">
            Access read from the storage {formatDateTime(object.accessCheckedAt)}
          </Text>
        )}
        {object.leak && (
          <Alert color="red" variant="light" title="Strangers can download this file">
            {LEAK_EXPLANATION}
          </Alert>
        )}
      </Stack>

      <DataList size="sm" labelWidth={130} aria-label="File details">
        <Item
          label="Key"
          value={
            <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
              {object.key}
            </Text>
          }
        />
        <Item label="Bucket" value={object.bucket} />
        <Item
          label="Size"
          value={
            object.size < 1000
              ? formatBytes(object.size)
              : `${formatBytes(object.size)} (${object.size.toLocaleString()} bytes)`
          }
        />
        <Item
          label="Content type"
          value={
            object.contentType
              ? `${friendlyType(object.contentType, object.name)} · ${object.contentType}`
              : 'Not stored'
          }
        />
        <Item label="Storage class" value={object.storageClass ?? 'Standard'} />
        <Item label="Last modified" value={formatDateTime(object.lastModified)} />
        <Item
          label="ETag"
          value={
            <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
              {object.etag}
            </Text>
          }
        />
      </DataList>

      <Stack gap={6}>
        <Title order={5}>Plain address</Title>
        <Group gap={6} wrap="nowrap">
          <TextInput
            readOnly
            value={object.url}
            aria-label="Plain address"
            style={{ flex: 1 }}
            ff="monospace"
          />
          <CopyButton value={object.url}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? 'Copied' : 'Copy address'}>
                <ActionIcon
                  variant="light"
                  size="lg"
                  onClick={copy}
                  aria-label="Copy address"
                  color={copied ? 'teal' : undefined}
                >
                  {copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        </Group>
        <Text size="xs" c="dimmed">
          This address works only for files strangers may read. Customers get Signet download links instead.
        </Text>
      </Stack>

      <Stack gap={6}>
        <Title order={5}>Who has access (grants)</Title>
        {object.grants === null ? (
          <Text size="sm" c="dimmed">
            Not read: this storage has no per-file access settings, or the key may not read them.
          </Text>
        ) : object.grants.length === 0 ? (
          <Text size="sm" c="dimmed">
            No grants.
          </Text>
        ) : (
          <Table withTableBorder aria-label="Grants">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Who</Table.Th>
                <Table.Th>May</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {object.grants.map((g, i) => (
                <Table.Tr key={i}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{GRANTEES[g.grantee] ?? g.grantee}</Table.Td>
                  <Table.Td>{g.permission}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>

      <Stack gap={6}>
        <Title order={5}>Access checks</Title>
        {object.history.length === 0 ? (
          <Text size="sm" c="dimmed">
            Never checked. Select the file and press “Verify access” to see what a stranger gets.
          </Text>
        ) : (
          <Table withTableBorder aria-label="Access checks">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>A stranger got</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {object.history.map((h, i) => (
                <Table.Tr key={i} bg={h.leak ? 'var(--mantine-color-red-light)' : undefined}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(h.at)}</Table.Td>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Text size="sm" fw={600}>
                        {h.status === 0 ? '—' : h.status}
                      </Text>
                      <Text size="sm">{describeStatus(h.status)}</Text>
                      {h.leak && <LeakBadge size="sm" />}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Stack>
  );
}

function Item({ label, value }: { label: string; value: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{value}</DataList.ItemValue>
    </DataList.Item>
  );
}
