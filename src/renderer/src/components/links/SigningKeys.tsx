import {
  Alert,
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconKey, IconRotateClockwise } from '@tabler/icons-react';
import { useState } from 'react';
import type { SigningKeyView } from '@shared/links/schemas';
import { formatDateTime } from '../../lib/library-format';
import { useCreateSigningKey, useRetireSigningKey, useSigningKeys } from '../../lib/links-queries';

const AFTER_CHANGE =
  'Your verifier learns about key changes only from its config file: export it again and install it on your server.';

/**
 * The signing keys (kid, created, active / still verifying / retired): making a new one, retiring an old one.
 * Part of the "Download link keys" card: it renders into the card's stack, its dialogs beside it.
 */
export function SigningKeys() {
  const list = useSigningKeys();
  const create = useCreateSigningKey();
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [retiring, setRetiring] = useState<SigningKeyView | null>(null);

  const keys = list.data ?? [];
  const rotate = () =>
    create.mutate(undefined, {
      onSuccess: (key) => {
        setConfirmRotate(false);
        notifications.show({
          color: 'teal',
          title: `New key ${key.kid} is active`,
          message: `New links are signed with it. ${AFTER_CHANGE}`,
          autoClose: 10_000,
        });
      },
    });

  return (
    <>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <div style={{ flex: 1 }}>
          <Title order={4}>Download link keys</Title>
          <Text size="sm" c="dimmed" maw={520}>
            Verifier links are signed with a key kept in your system keychain, never in a file. Your verifier
            checks each link with the same key.
          </Text>
        </div>
        <Button
          variant="default"
          style={{ flex: 'none' }}
          leftSection={keys.length === 0 ? <IconKey size={18} /> : <IconRotateClockwise size={18} />}
          onClick={() => (keys.length === 0 ? rotate() : setConfirmRotate(true))}
          loading={create.isPending && !confirmRotate}
        >
          {keys.length === 0 ? 'Make a key' : 'Rotate (new key)'}
        </Button>
      </Group>
      {list.isPending ? (
        <Loader size="sm" />
      ) : list.isError ? (
        <Alert color="red" title="Could not read your keys">
          {list.error.message}
        </Alert>
      ) : keys.length === 0 ? (
        <Text size="sm" c="dimmed">
          No key yet. Press “Make a key” before you create verifier links or export the verifier config.
        </Text>
      ) : (
        <Table aria-label="Signing keys" verticalSpacing={6}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Key id</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.map((k) => (
              <Table.Tr key={k.kid} aria-label={`Key ${k.kid}`}>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {k.kid}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(k.createdAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    {k.retiredAt ? (
                      <Badge color="gray" variant="light">
                        Retired {formatDateTime(k.retiredAt)}
                      </Badge>
                    ) : k.active ? (
                      <Tooltip label="New links are signed with this key">
                        <Badge color="teal" variant="light">
                          Active
                        </Badge>
                      </Tooltip>
                    ) : (
                      <Tooltip label="Links signed with it keep working until you retire it">
                        <Badge color="blue" variant="light">
                          Still verifies
                        </Badge>
                      </Tooltip>
                    )}
                    {/* A retired key is meant to leave the verifier: whether it was exported no longer matters. */}
                    {!k.retiredAt && k.exportedAt === null && (
                      <Tooltip label="Your verifier refuses links signed with this key until you export the verifier config and install it">
                        <Badge color="orange" variant="light">
                          Not yet exported
                        </Badge>
                      </Tooltip>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td ta="right">
                  {!k.retiredAt &&
                    (k.active ? (
                      <Tooltip label="New links need an active key: rotate first, then retire this one">
                        <span>
                          <Button size="compact-sm" variant="subtle" color="red" disabled>
                            Retire
                          </Button>
                        </span>
                      </Tooltip>
                    ) : (
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        onClick={() => setRetiring(k)}
                        aria-label={`Retire key ${k.kid}`}
                      >
                        Retire
                      </Button>
                    ))}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {create.isError && (
        <Alert color="red" title="No new key was made">
          {create.error.message}
        </Alert>
      )}
      <Modal
        opened={confirmRotate}
        onClose={() => setConfirmRotate(false)}
        title={<Text fw={700}>Make a new signing key?</Text>}
      >
        <Stack>
          <Text size="sm">
            New links are signed with the new key. Links you sent so far keep working: the old key still
            verifies until you retire it.
          </Text>
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
            {AFTER_CHANGE} Until then, new links are refused by your verifier.
          </Alert>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmRotate(false)}>
              Cancel
            </Button>
            <Button loading={create.isPending} onClick={rotate}>
              Make a new key
            </Button>
          </Group>
        </Stack>
      </Modal>
      <RetireModal keyView={retiring} onClose={() => setRetiring(null)} />
    </>
  );
}

/** Confirms retiring a key that no longer signs: links signed with it stop working at the next config install. */
function RetireModal({ keyView, onClose }: { keyView: SigningKeyView | null; onClose: () => void }) {
  const retire = useRetireSigningKey();
  const close = () => {
    retire.reset();
    onClose();
  };
  return (
    <Modal opened={keyView !== null} onClose={close} title={<Text fw={700}>Retire key {keyView?.kid}?</Text>}>
      {keyView && (
        <Stack>
          <Text size="sm">
            Links signed with <b>{keyView.kid}</b> stop working once your verifier has a config without it.
            This cannot be undone: customers who still need a download get a new link.
          </Text>
          <Text size="sm" c="dimmed">
            {AFTER_CHANGE}
          </Text>
          {retire.isError && (
            <Alert color="red" title="The key was not retired">
              {retire.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep the key
            </Button>
            <Button
              color="red"
              loading={retire.isPending}
              onClick={() =>
                retire.mutate(keyView.kid, {
                  onSuccess: () => {
                    notifications.show({
                      color: 'teal',
                      title: `Key ${keyView.kid} retired`,
                      message: AFTER_CHANGE,
                      autoClose: 10_000,
                    });
                    close();
                  },
                })
              }
            >
              Retire key
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
