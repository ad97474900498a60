import { Anchor, Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { IconBan, IconRefreshDot } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { LinkView } from '@shared/links/schemas';
import { usageText } from '../../lib/links-queries';
import { CopyLink } from './CopyLink';
import { formatLocalShort, formatUtc } from './expiry';
import { describeLink } from './link-text';
import { LinkStatusBadge, placesText, SharedBadge } from './LinkStatusBadge';

/** Whether a link can still be reissued (a link reissued once is reissued through its successor). */
export const canReissue = (link: LinkView) => link.replacedBy === null;
/** Whether the verifier can still revoke it. */
export const canRevoke = (link: LinkView) => link.kind === 'verifier' && link.status === 'active';

/**
 * One link in full: who and what it is for, its limits and usage, which link it replaced or was replaced by, and
 * the link itself with Copy; Reissue and Revoke are one click away.
 */
export function LinkDetailsModal({
  link,
  onClose,
  onReissue,
  onRevoke,
  onShowLink,
}: {
  link: LinkView | null;
  onClose: () => void;
  onReissue: (link: LinkView) => void;
  onRevoke: (link: LinkView) => void;
  /** Shows another link of the ledger (the one this replaced, or its replacement). */
  onShowLink: (jti: string) => void;
}) {
  const rows: [string, ReactNode][] = link
    ? [
        ['File', `${link.accountName} · ${link.bucket}/${link.key}`],
        ['Product', link.productSlug],
        ['Order', link.orderId || '—'],
        ['Customer', link.email || '—'],
        ['Note', link.note || '—'],
        ['Saved as', link.filename],
        ['Kind', link.kind === 'verifier' ? 'Checked by your verifier' : 'Direct storage link'],
        ['Created', formatLocalShort(link.createdAt)],
        ['Expires', `${formatLocalShort(link.expiresAt)} (${formatUtc(new Date(link.expiresAt))})`],
        [
          'Downloads',
          link.kind === 'direct'
            ? 'not counted'
            : `${usageText(link) ?? 'not asked yet'}${link.maxDownloads === null ? ' (no limit)' : ''}` +
              (link.networks !== null ? `, ${placesText(link.networks)}` : ''),
        ],
        ...(link.replaces
          ? ([['Replaces', <JtiLink key="r" jti={link.replaces} onShow={onShowLink} />]] as [
              string,
              ReactNode,
            ][])
          : []),
        ...(link.replacedBy
          ? ([['Replaced by', <JtiLink key="b" jti={link.replacedBy} onShow={onShowLink} />]] as [
              string,
              ReactNode,
            ][])
          : []),
        [
          'Link id',
          <Text key="id" size="sm" ff="monospace">
            {link.jti}
          </Text>,
        ],
      ]
    : [];
  return (
    <Modal
      opened={link !== null}
      onClose={onClose}
      size={640}
      title={<Text fw={700}>{link ? `Link for ${describeLink(link)}` : ''}</Text>}
    >
      {link && (
        <Stack gap="md">
          <Group gap="xs">
            <LinkStatusBadge status={link.status} />
            <SharedBadge link={link} />
          </Group>
          <Table variant="vertical" layout="fixed" withTableBorder aria-label="Link details">
            <Table.Tbody>
              {rows.map(([label, value]) => (
                <Table.Tr key={label}>
                  <Table.Th w={130}>{label}</Table.Th>
                  <Table.Td style={{ wordBreak: 'break-word' }}>{value}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <CopyLink url={link.url} />
          <Group justify="flex-end" gap="sm">
            {canRevoke(link) && (
              <Button
                variant="light"
                color="red"
                leftSection={<IconBan size={18} />}
                onClick={() => onRevoke(link)}
              >
                Revoke
              </Button>
            )}
            {canReissue(link) && (
              <Button leftSection={<IconRefreshDot size={18} />} onClick={() => onReissue(link)}>
                Reissue
              </Button>
            )}
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function JtiLink({ jti, onShow }: { jti: string; onShow: (jti: string) => void }) {
  return (
    <Anchor component="button" type="button" size="sm" ff="monospace" onClick={() => onShow(jti)}>
      {jti}
    </Anchor>
  );
}
