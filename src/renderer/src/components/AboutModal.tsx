import { Alert, Code, Loader, Modal, Stack, Table, Text } from '@mantine/core';
import { useAppInfo } from '../lib/queries';

export function AboutModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const info = useAppInfo();
  return (
    <Modal opened={opened} onClose={onClose} title="About Signet" centered>
      {info.isPending ? (
        <Loader size="sm" />
      ) : info.isError ? (
        <Alert color="red">{info.error.message}</Alert>
      ) : (
        <Stack gap="sm">
          <Text size="sm">
            Signet {info.data.version} keeps your product files in cloud storage and gives customers download
            links that stop working.
          </Text>
          <Table withRowBorders={false} verticalSpacing={4} aria-label="Versions">
            <Table.Tbody>
              {(
                [
                  ['Signet', info.data.version],
                  ['Electron', info.data.versions.electron ?? '—'],
                  ['Chromium', info.data.versions.chrome ?? '—'],
                  ['Node.js', info.data.versions.node],
                  ['SQLite', info.data.versions.sqlite],
                  ['System', info.data.platform],
                ] as const
              ).map(([label, value]) => (
                <Table.Tr key={label}>
                  <Table.Td c="dimmed" w={120}>
                    {label}
                  </Table.Td>
                  <Table.Td>{value}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="xs" c="dimmed">
            Your catalog and settings are stored in <Code>{info.data.dataFolder}</Code>. Keys and passwords
            are kept only in your system keychain.
          </Text>
        </Stack>
      )}
    </Modal>
  );
}
