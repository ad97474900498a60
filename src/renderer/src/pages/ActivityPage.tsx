import { Alert, Card, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { JobDetailsModal } from '../components/jobs/JobDetailsModal';
import { JobsSection } from '../components/jobs/JobsSection';
import { useActivity } from '../lib/queries';
import { jobHref, useRouteDetail } from '../lib/routes';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function ActivityPage() {
  const activity = useActivity();
  // A job's details are part of the address (#/activity/job/12), so the progress dock can link to them.
  const detail = /^job\/(\d+)$/.exec(useRouteDetail());
  const jobId = detail ? Number(detail[1]) : null;
  return (
    <Stack maw={980}>
      <Title order={2}>Activity</Title>
      <JobsSection onDetails={(id) => (window.location.hash = jobHref(id))} />
      <Title order={3} mt="md">
        Log
      </Title>
      <Text c="dimmed">Everything Signet changed on your behalf, newest first.</Text>
      <Card withBorder padding={0}>
        {activity.isPending ? (
          <Loader m="lg" size="sm" />
        ) : activity.isError ? (
          <Alert color="red" m="md" title="Could not load the activity log">
            {activity.error.message}
          </Alert>
        ) : activity.data.length === 0 ? (
          <Text p="lg" c="dimmed">
            Nothing yet. Changes you make (settings, uploads, links) will be listed here.
          </Text>
        ) : (
          <Table striped highlightOnHover aria-label="Activity log">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={200}>When</Table.Th>
                <Table.Th>What</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {activity.data.map((entry) => (
                <Table.Tr key={entry.id}>
                  <Table.Td>{when.format(new Date(entry.at))}</Table.Td>
                  <Table.Td>{entry.message}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <JobDetailsModal jobId={jobId} onClose={() => (window.location.hash = '#/activity')} />
    </Stack>
  );
}
