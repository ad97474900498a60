import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { AccountView } from '@shared/accounts/schemas';
import { useRemoveAccount } from '../../lib/queries';

interface Props {
  account: AccountView | null;
  onClose: () => void;
  onRemoved: (account: AccountView, keychainEntriesRemoved: number) => void;
}

/** Asks before removing an account, saying exactly what goes (the keys in the keychain) and what stays (the files). */
export function RemoveAccountModal({ account, onClose, onRemoved }: Props) {
  const remove = useRemoveAccount();
  return (
    <Modal
      opened={account !== null}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      title={account ? `Remove “${account.name}”?` : ''}
      centered
    >
      {account && (
        <Stack>
          <Text size="sm">
            Signet forgets this account and deletes its keys from your system keychain. The files in your
            storage are not touched, and the keys themselves stay valid at your provider (revoke them there if
            you no longer need them).
          </Text>
          {remove.isError && (
            <Alert color="red" title="The account was not removed">
              {remove.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={remove.isPending}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(account.id, {
                  onSuccess: (result) => {
                    remove.reset();
                    onRemoved(account, result.keychainEntriesRemoved);
                  },
                })
              }
            >
              Remove account
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
