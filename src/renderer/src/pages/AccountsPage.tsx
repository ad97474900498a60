import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  ThemeIcon,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCloudOff, IconPencil, IconPlugConnected, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { effectiveEndpoint, PROVIDERS } from '@shared/accounts/providers';
import type { AccountView } from '@shared/accounts/schemas';
import { AccountFormModal } from '../components/accounts/AccountFormModal';
import { AccountTestResult } from '../components/accounts/AccountTestResult';
import { AccountStatusBadge } from '../components/accounts/badges';
import { RemoveAccountModal } from '../components/accounts/RemoveAccountModal';
import { VerifierKeyCard } from '../components/accounts/VerifierKeyCard';
import { useAccounts, useKeychainStatus, useTestAccount } from '../lib/queries';

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

const KEYCHAIN_DOWN_TEST =
  'Signet cannot test while your system keychain is unreachable: the keys are kept there.';

function ago(iso: string): string {
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

export function AccountsPage() {
  const accounts = useAccounts();
  const keychain = useKeychainStatus();
  const test = useTestAccount();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [form, setForm] = useState<{ opened: boolean; account: AccountView | null }>({
    opened: false,
    account: null,
  });
  const [removing, setRemoving] = useState<AccountView | null>(null);

  const list = accounts.data ?? [];
  const selected = list.find((a) => a.id === selectedId) ?? list[0] ?? null;
  const testingId = test.isPending ? test.variables : null;

  const runTest = (account: AccountView) => {
    setSelectedId(account.id);
    test.mutate(account.id, {
      onSuccess: (tested) => {
        const result = tested.lastTest;
        if (!result) return;
        notifications.show({
          color: result.status === 'ok' ? 'teal' : result.status === 'warning' ? 'yellow' : 'red',
          title:
            result.status === 'ok'
              ? `“${tested.name}” is connected`
              : result.status === 'warning'
                ? `“${tested.name}” is connected, with warnings`
                : `“${tested.name}” could not connect`,
          message: result.headline,
        });
      },
      onError: (err) =>
        notifications.show({ color: 'red', title: `“${account.name}” was not tested`, message: err.message }),
    });
  };

  const keychainDown = keychain.data && !keychain.data.available;

  return (
    <Stack maw={1100} gap="lg">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>Accounts</Title>
          <Text c="dimmed">
            The cloud storage where your product files live. Keys are kept in your system keychain, never in
            files.
          </Text>
        </div>
        <Button
          leftSection={<IconPlus size={18} />}
          onClick={() => setForm({ opened: true, account: null })}
          disabled={!!keychainDown}
        >
          Add account
        </Button>
      </Group>

      {keychainDown && (
        <Alert color="red" title="Signet cannot reach your system keychain">
          {keychain.data?.message} Accounts cannot be added or tested until it answers.
        </Alert>
      )}

      {accounts.isPending ? (
        <Loader size="sm" />
      ) : accounts.isError ? (
        <Alert color="red" title="Could not load your storage accounts">
          {accounts.error.message}
        </Alert>
      ) : list.length === 0 ? (
        <Card withBorder padding="xl">
          <Stack align="center" gap="xs">
            <ThemeIcon size={48} radius="xl" variant="light">
              <IconCloudOff size={26} />
            </ThemeIcon>
            <Text fw={600}>No storage connected yet</Text>
            <Text size="sm" c="dimmed" ta="center" maw={520}>
              Add the account where your product files are: Amazon S3, Cloudflare R2, Google Cloud Storage,
              Backblaze B2, Wasabi, DigitalOcean Spaces, or your own MinIO or Ceph server. Signet tests it and
              tells you how each bucket keeps files private.
            </Text>
            <Button
              mt="xs"
              variant="light"
              leftSection={<IconPlus size={18} />}
              onClick={() => setForm({ opened: true, account: null })}
              disabled={!!keychainDown}
            >
              Add account
            </Button>
          </Stack>
        </Card>
      ) : (
        <Card withBorder padding={0}>
          <Table highlightOnHover verticalSpacing="sm" aria-label="Storage accounts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th w={130}>Provider</Table.Th>
                <Table.Th>Endpoint</Table.Th>
                <Table.Th w={175}>Status</Table.Th>
                <Table.Th w={110} style={{ whiteSpace: 'nowrap' }}>
                  Last tested
                </Table.Th>
                <Table.Th w={160} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((account) => (
                <Table.Tr
                  key={account.id}
                  onClick={() => setSelectedId(account.id)}
                  style={{ cursor: 'pointer' }}
                  bg={account.id === selected?.id ? 'var(--mantine-primary-color-light)' : undefined}
                  aria-selected={account.id === selected?.id}
                >
                  <Table.Td>
                    <Text fw={600} size="sm">
                      {account.name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {account.credentials.hasCredentials
                        ? `Keys in keychain${account.credentials.temporary ? ' · temporary' : ''}`
                        : account.credentials.hasCredentials === false
                          ? 'No keys stored: edit to enter them'
                          : 'Keychain not reachable'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip
                      label={PROVIDERS[account.provider].label}
                      disabled={PROVIDERS[account.provider].label === PROVIDERS[account.provider].shortLabel}
                    >
                      <Text size="sm">{PROVIDERS[account.provider].shortLabel}</Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                      {effectiveEndpoint(account.provider, account.endpoint, account.region)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {account.region}
                      {account.forcePathStyle ? ' · path-style' : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <AccountStatusBadge account={account} testing={testingId === account.id} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                      {account.lastTest ? ago(account.lastTest.testedAt) : 'Never'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={6} justify="flex-end" wrap="nowrap" onClick={(e) => e.stopPropagation()}>
                      {/* A test reads the keys from the keychain. The button stays hoverable (data-disabled, not
                          disabled, as Mantine advises for tooltips) so the tooltip can say why it does nothing. */}
                      <Tooltip label={KEYCHAIN_DOWN_TEST} disabled={!keychainDown} multiline w={240}>
                        <Button
                          size="xs"
                          variant="light"
                          leftSection={<IconPlugConnected size={16} />}
                          loading={testingId === account.id}
                          disabled={test.isPending && testingId !== account.id}
                          data-disabled={keychainDown || undefined}
                          aria-disabled={keychainDown || undefined}
                          onClick={() => {
                            if (!keychainDown) runTest(account);
                          }}
                          aria-label={`Test ${account.name}`}
                        >
                          Test
                        </Button>
                      </Tooltip>
                      <Tooltip label="Edit">
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          aria-label={`Edit ${account.name}`}
                          onClick={() => setForm({ opened: true, account })}
                        >
                          <IconPencil size={18} />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip label="Remove">
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Remove ${account.name}`}
                          onClick={() => setRemoving(account)}
                        >
                          <IconTrash size={18} />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}

      {selected && (
        <Stack gap="xs">
          <Title order={4}>Connection test — {selected.name}</Title>
          {testingId === selected.id ? (
            <Card withBorder padding="lg">
              <Group gap="sm">
                <Loader size="sm" />
                <Text size="sm">
                  Testing the connection: signing in, checking the clock, and asking each bucket how it keeps
                  files private…
                </Text>
              </Group>
            </Card>
          ) : selected.lastTest ? (
            <AccountTestResult result={selected.lastTest} />
          ) : (
            <Card withBorder padding="lg">
              <Text size="sm" c="dimmed">
                Not tested since it was {selected.createdAt === selected.updatedAt ? 'added' : 'last changed'}
                . Press Test to check the keys, the clock and how each bucket keeps files private.
              </Text>
            </Card>
          )}
          <VerifierKeyCard key={selected.id} account={selected} />
        </Stack>
      )}

      <AccountFormModal
        opened={form.opened}
        account={form.account}
        onClose={() => setForm({ opened: false, account: null })}
        onSaved={(saved, created) => {
          setForm({ opened: false, account: null });
          notifications.show({
            color: 'teal',
            message: created
              ? `Added “${saved.name}”; its keys are in your keychain. Testing the connection…`
              : `Saved “${saved.name}”. Testing the connection…`,
          });
          runTest(saved);
        }}
      />
      <RemoveAccountModal
        account={removing}
        onClose={() => setRemoving(null)}
        onRemoved={(account) => {
          setRemoving(null);
          if (selectedId === account.id) setSelectedId(null);
          notifications.show({
            color: 'teal',
            message: `Removed “${account.name}”; its keys were deleted from your keychain.`,
          });
        }}
      />
    </Stack>
  );
}
