import { Alert, Button, Card, Group, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconKey } from '@tabler/icons-react';
import { useState } from 'react';
import { readOnlyKeyAdvice } from '@shared/accounts/read-only-key';
import { VerifierKeyInputSchema, type AccountView } from '@shared/accounts/schemas';
import { ApiError } from '../../lib/api';
import { useSetVerifierKey } from '../../lib/queries';

const KeySchema = VerifierKeyInputSchema.shape.key.unwrap();

/**
 * The account's read-only verifier key: the verifier only reads files, so the config exported for it should carry a
 * key that can do nothing else. Kept in the keychain like the account's own key; the window never sees it back.
 */
export function VerifierKeyCard({ account }: { account: AccountView }) {
  const save = useSetVerifierKey();
  const [editing, setEditing] = useState(false);
  const [keyId, setKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState<{ accessKeyId?: string; secretAccessKey?: string }>({});
  const buckets = [...account.buckets, ...(account.privateBucket ? [account.privateBucket] : [])];

  const close = () => {
    setEditing(false);
    setKeyId('');
    setSecret('');
    setErrors({});
  };

  const submit = () => {
    const parsed = KeySchema.safeParse({ accessKeyId: keyId, secretAccessKey: secret });
    if (!parsed.success) {
      const found: typeof errors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as keyof typeof errors;
        found[field] ??= issue.message;
      }
      setErrors(found);
      return;
    }
    save.mutate(
      { id: account.id, key: parsed.data },
      {
        onSuccess: () => {
          close();
          notifications.show({
            color: 'teal',
            message: `Stored the verifier key of “${account.name}” in your keychain. Export the verifier config again to use it.`,
          });
        },
        onError: (err) => {
          const issues = err instanceof ApiError ? err.issues : [];
          if (issues.length === 0) {
            notifications.show({
              color: 'red',
              title: 'The verifier key was not saved',
              message: err.message,
            });
            return;
          }
          const found: typeof errors = {};
          for (const i of issues) {
            if (i.path.endsWith('accessKeyId')) found.accessKeyId ??= i.message;
            if (i.path.endsWith('secretAccessKey')) found.secretAccessKey ??= i.message;
          }
          setErrors(found);
        },
      },
    );
  };

  const clear = () =>
    save.mutate(
      { id: account.id, key: null },
      {
        onSuccess: () =>
          notifications.show({
            color: 'teal',
            message: `Removed the verifier key of “${account.name}”. Verifier configs carry the account’s own key again.`,
          }),
        onError: (err) =>
          notifications.show({
            color: 'red',
            title: 'The verifier key was not removed',
            message: err.message,
          }),
      },
    );

  return (
    <Card withBorder padding="lg" aria-label={`Verifier key of ${account.name}`} component="section">
      <Stack gap="sm">
        <Group gap="xs">
          <IconKey size={18} />
          <Title order={5}>Verifier key</Title>
        </Group>
        {account.verifierKey ? (
          <Text size="sm">
            A read-only key is stored in your keychain. Verifier configs carry it instead of the account’s own
            key.
          </Text>
        ) : (
          <Alert color="orange" variant="light" title="The verifier would get the account’s own key">
            <Text size="sm">
              Without a verifier key, the exported verifier config carries this account’s own key, which can
              also upload, change and delete files, to your shop’s server. The verifier only needs to read
              files.
            </Text>
            <Text size="sm" mt={6} style={{ overflowWrap: 'anywhere' }}>
              {readOnlyKeyAdvice(account.provider, buckets)}
            </Text>
          </Alert>
        )}
        {editing ? (
          <Stack gap="xs" maw={520}>
            <TextInput
              label="Access key ID of the read-only key"
              value={keyId}
              autoComplete="off"
              spellCheck={false}
              error={errors.accessKeyId}
              onChange={(e) => {
                setKeyId(e.currentTarget.value);
                setErrors((x) => ({ ...x, accessKeyId: undefined }));
              }}
            />
            <PasswordInput
              label="Secret access key"
              value={secret}
              autoComplete="off"
              error={errors.secretAccessKey}
              onChange={(e) => {
                setSecret(e.currentTarget.value);
                setErrors((x) => ({ ...x, secretAccessKey: undefined }));
              }}
            />
            <Group>
              <Button onClick={submit} loading={save.isPending}>
                Save verifier key
              </Button>
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
            </Group>
          </Stack>
        ) : (
          <Group>
            <Button
              size="compact-sm"
              variant="light"
              onClick={() => setEditing(true)}
              disabled={account.verifierKey === null}
            >
              {account.verifierKey ? 'Replace verifier key…' : 'Enter verifier key…'}
            </Button>
            {account.verifierKey && (
              <Button size="compact-sm" variant="subtle" color="red" onClick={clear} loading={save.isPending}>
                Remove
              </Button>
            )}
          </Group>
        )}
      </Stack>
    </Card>
  );
}
