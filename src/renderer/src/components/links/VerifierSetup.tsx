import { Badge, Button, Group, PasswordInput, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconFileExport } from '@tabler/icons-react';
import { useState } from 'react';
import { AdminTokenSchema } from '@shared/links/schemas';
import { useAdminTokenStatus, useSetAdminToken } from '../../lib/links-queries';
import { VerifierExportModal } from './VerifierExportModal';

/**
 * Setting up the verifier: the admin token Signet sends it, and the export of its config file (with the
 * addresses it listens on). Part of the "Download link keys" card, after the keys.
 */
export function VerifierSetup() {
  const [exporting, setExporting] = useState(false);
  return (
    <>
      <AdminToken />
      <Group justify="space-between" align="center" wrap="nowrap" gap="md">
        <Text size="sm" c="dimmed" style={{ flex: 1 }}>
          The verifier config file holds everything your verifier needs: the keys that still verify, the
          storage accounts and the admin token.
        </Text>
        <Button
          style={{ flex: 'none' }}
          leftSection={<IconFileExport size={18} />}
          onClick={() => setExporting(true)}
        >
          Export verifier config…
        </Button>
      </Group>
      <VerifierExportModal opened={exporting} onClose={() => setExporting(false)} />
    </>
  );
}

/** The admin token Signet sends to the verifier to revoke links and read downloads (kept in the keychain). */
function AdminToken() {
  const status = useAdminTokenStatus();
  const save = useSetAdminToken();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    const parsed = AdminTokenSchema.safeParse(value);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Not a valid token');
      return;
    }
    save.mutate(parsed.data, {
      onSuccess: () => {
        setEditing(false);
        setValue('');
        notifications.show({ color: 'teal', message: 'Verifier admin token saved in your keychain.' });
      },
      onError: (e) => setError(e.message),
    });
  };

  return (
    <Stack gap={6}>
      <Group gap="xs">
        <Text size="sm" fw={500}>
          Verifier admin token
        </Text>
        {status.data &&
          (status.data.set ? (
            <Badge color="teal" variant="light">
              Set
            </Badge>
          ) : (
            <Badge color="gray" variant="light">
              Not set
            </Badge>
          ))}
      </Group>
      <Text size="xs" c="dimmed">
        Lets Signet revoke links and read their downloads at your verifier. It is kept in your keychain; the
        config export makes one when none is set.
      </Text>
      {editing ? (
        <Group align="flex-start" gap="xs">
          <PasswordInput
            aria-label="Verifier admin token"
            placeholder="The adminToken of your verifier’s config"
            w={360}
            value={value}
            error={error}
            onChange={(e) => {
              setValue(e.currentTarget.value);
              setError(null);
            }}
          />
          <Button onClick={submit} loading={save.isPending}>
            Save token
          </Button>
          <Button variant="default" onClick={() => setEditing(false)}>
            Cancel
          </Button>
        </Group>
      ) : (
        <Group>
          <Button size="compact-sm" variant="light" onClick={() => setEditing(true)}>
            {status.data?.set ? 'Replace token…' : 'Enter token…'}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
