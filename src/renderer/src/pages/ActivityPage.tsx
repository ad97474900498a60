import { Alert, Card, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useActivity } from '../lib/queries';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function ActivityPage() {
  const activity = useActivity();
  return (
    <Stack maw={900}>
      <Title order={2}>Activity</Title>
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
    </Stack>
  );
}
