import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBan } from '@tabler/icons-react';
import type { LinkView } from '@shared/links/schemas';
import { useRevokeLink } from '../../lib/links-queries';
import { describeLink } from './link-text';

/**
 * "Revoke this link?" with what it means. The verifier is asked first; when it cannot be reached its plain
 * error shows here, the dialog stays open for another try, and the link stays active in the ledger.
 */
export function RevokeModal({ link, onClose }: { link: LinkView | null; onClose: () => void }) {
  const revoke = useRevokeLink();
  const close = () => {
    revoke.reset();
    onClose();
  };
  return (
    <Modal opened={link !== null} onClose={close} title={<Text fw={700}>Revoke this link?</Text>}>
      {link && (
        <Stack gap="md">
          <Text size="sm">
            The link for <b>{describeLink(link)}</b> stops working at once, for everyone who has it. This
            cannot be undone; you can create a new link for the customer later.
          </Text>
          {revoke.isError && (
            <Alert color="red" title="The link was not revoked" role="alert">
              <Text size="sm">{revoke.error.message}</Text>
              <Text size="sm" mt={4} fw={500}>
                The link is still active.
              </Text>
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Keep the link
            </Button>
            <Button
              color="red"
              leftSection={<IconBan size={18} />}
              loading={revoke.isPending}
              onClick={() =>
                revoke.mutate(link.jti, {
                  onSuccess: () => {
                    notifications.show({
                      color: 'teal',
                      title: 'Link revoked',
                      message: `The link for ${describeLink(link)} no longer works.`,
                    });
                    close();
                  },
                })
              }
            >
              {revoke.isError ? 'Try again' : 'Revoke link'}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
