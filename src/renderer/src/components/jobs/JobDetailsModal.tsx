import { Alert, Badge, Group, Loader, Modal, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { ACCESS_TYPES, type AccessType } from '@shared/library/schemas';
import type { JobItemView } from '@shared/jobs/schemas';
import { useJobEvents } from '../../lib/job-events';
import { itemStateInfo, methodLabel, progressLine } from '../../lib/job-format';
import { formatBytes, formatCount, formatDateTime } from '../../lib/library-format';
import { useJobDetails } from '../../lib/jobs-queries';
import { AccessBadge } from '../library/AccessBadge';
import { JobControls } from './JobControls';
import { JobCounts } from './JobCounts';
import { JobProgressBar } from './JobProgressBar';
import { JobStateBadge } from './JobStateBadge';

const isAccess = (a: string | null): a is AccessType => (ACCESS_TYPES as readonly string[]).includes(a ?? '');

/** One job in full: its numbers, its summary, and its files with failed ones first and why they failed. */
export function JobDetailsModal({ jobId, onClose }: { jobId: number | null; onClose: () => void }) {
  const details = useJobDetails(jobId);
  const { live } = useJobEvents();
  const event = jobId === null ? undefined : live.get(jobId);
  // The counts move with the events; the file list with the (slower) jobs:get refresh.
  const job = event && event.at > details.dataUpdatedAt ? event.job : details.data;
  return (
    <Modal
      opened={jobId !== null}
      onClose={onClose}
      size={980}
      title={<Text fw={700}>{job?.title ?? 'Job'}</Text>}
    >
      {details.isPending ? (
        <Loader size="sm" />
      ) : details.isError ? (
        <Alert color="red" title="Could not load this job">
          {details.error.message}
        </Alert>
      ) : job ? (
        <Stack gap="sm">
          <Group gap="xs">
            <JobStateBadge job={job} />
            <Text size="sm" c="dimmed">
              {job.accountName} · {job.bucket} · started {formatDateTime(job.startedAt ?? job.createdAt)}
              {job.endedAt ? ` · ended ${formatDateTime(job.endedAt)}` : ''}
            </Text>
          </Group>
          <JobProgressBar job={job} active={event?.active ?? []} />
          <Text size="sm">{progressLine(job, event?.active ?? [])}</Text>
          <JobCounts job={job} />
          <Text size="sm" fw={500} role="status">
            {job.summary}
          </Text>
          <Group gap="xs">
            <JobControls job={job} />
          </Group>
          <ItemsTable items={details.data.items} total={job.total} />
        </Stack>
      ) : null}
    </Modal>
  );
}

function ItemsTable({ items, total }: { items: JobItemView[]; total: number }) {
  return (
    <>
      {items.length < total && (
        <Text size="sm" c="dimmed">
          Showing {formatCount(items.length)} of {formatCount(total)} files, failed ones first.
        </Text>
      )}
      <ScrollArea.Autosize mah="50vh">
        <Table striped stickyHeader layout="fixed" aria-label="Files of this job" verticalSpacing={6}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="34%">File</Table.Th>
              <Table.Th w={90}>Size</Table.Th>
              <Table.Th w={130}>Step</Table.Th>
              <Table.Th>Result</Table.Th>
              <Table.Th w={56}>Tries</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => {
              const state = itemStateInfo(item);
              return (
                <Table.Tr key={item.id} aria-label={item.key}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Text size="sm" ff="monospace">
                      {item.key}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatBytes(item.size)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{methodLabel(item)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <Group gap={6}>
                        <Badge size="sm" variant="light" color={state.color}>
                          {state.label}
                        </Badge>
                        {item.state === 'done' && isAccess(item.access) && (
                          <AccessBadge access={item.access} size="sm" />
                        )}
                      </Group>
                      {item.error && (
                        <Text size="sm" c="red">
                          {item.error}
                        </Text>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{item.attempts}</Text>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </>
  );
}
