import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import type { LinkCreated } from '@shared/links/schemas';
import { CopyLink } from './CopyLink';
import { formatLocal, formatUtc } from './expiry';
import { QrPanel } from './QrCode';

/** The new link: copy it, scan it, or make another. */
export function LinkResult({
  link,
  onAnother,
  onDone,
}: {
  link: LinkCreated;
  onAnother: () => void;
  onDone: () => void;
}) {
  const expires = new Date(link.expiresAt);
  const facts = [
    link.kind === 'verifier' ? 'Verifier link' : 'Direct storage link',
    link.maxDownloads === null
      ? link.kind === 'verifier'
        ? 'no download limit'
        : null
      : `${link.maxDownloads} download${link.maxDownloads === 1 ? '' : 's'}`,
    link.orderId ? `order ${link.orderId}` : null,
    link.email || null,
  ].filter(Boolean);
  return (
    <Stack gap="md" aria-label="New link">
      <Alert color="teal" icon={<IconCircleCheck size={20} />} title="Your link is ready">
        <Text size="sm">
          {facts.join(' · ')}. Works until <b>{formatLocal(expires)}</b> ({formatUtc(expires)}).
        </Text>
      </Alert>
      {link.warnings.map((w) => (
        <Alert key={w} color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
          {w}
        </Alert>
      ))}
      <Group align="flex-start" gap="lg" wrap="nowrap">
        <Stack gap="xs" style={{ flex: 1, minWidth: 0 }}>
          <Text size="sm" fw={500}>
            Paste it into your email to the customer:
          </Text>
          <CopyLink url={link.url} />
          <Text size="xs" c="dimmed">
            You find it again on the Links page, with its downloads
            {link.kind === 'verifier' ? ' and a button to revoke it' : ''}.
          </Text>
        </Stack>
        <QrPanel value={link.url} fileName={`${link.productSlug}-qr.png`} />
      </Group>
      <Group justify="flex-end" gap="sm">
        <Button
          variant="subtle"
          onClick={() => {
            onDone();
            window.location.hash = '#/links';
          }}
        >
          Open the Links page
        </Button>
        <Button variant="default" onClick={onAnother}>
          Create another link
        </Button>
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}
