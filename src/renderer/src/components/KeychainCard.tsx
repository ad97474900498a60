import { Alert, Badge, Card, Group, Loader, Text, Title } from '@mantine/core';
import { useKeychainStatus } from '../lib/queries';

/** Shows whether secrets can be stored: Signet keeps them only in the OS keychain, never in files. */
export function KeychainCard() {
  const status = useKeychainStatus();
  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" mb="xs">
        <Title order={4}>Keychain</Title>
        {status.data &&
          (status.data.available ? (
            <Badge color="teal" variant="light">
              Available
            </Badge>
          ) : (
            <Badge color="red" variant="light">
              Not reachable
            </Badge>
          ))}
      </Group>
      {status.isPending ? (
        <Loader size="sm" />
      ) : status.isError ? (
        <Alert color="red">{status.error.message}</Alert>
      ) : status.data.available ? (
        <Text size="sm" c="dimmed">
          Storage keys and signing keys are kept in your system keychain ({status.data.backend}), never in
          files.
        </Text>
      ) : (
        <Alert color="red" title="Signet cannot store keys right now">
          {status.data.message}
        </Alert>
      )}
    </Card>
  );
}
