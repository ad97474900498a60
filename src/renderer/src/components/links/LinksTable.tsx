import {
  ActionIcon,
  Anchor,
  Button,
  Group,
  Loader,
  Modal,
  Stack,
  Table,
  Text,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { IconBan, IconCheck, IconCopy, IconQrcode, IconRefresh, IconRefreshDot } from '@tabler/icons-react';
import { memo, useState } from 'react';
import type { LinkView } from '@shared/links/schemas';
import { usageText } from '../../lib/links-queries';
import { CopyLink, CopyLinkIcon, useCopy } from './CopyLink';
import { formatFromNow, formatLocalShort, formatUtc } from './expiry';
import { describeLink, fileName } from './link-text';
import { canReissue, canRevoke } from './LinkDetailsModal';
import { LinkStatusBadge, placesText, SharedBadge } from './LinkStatusBadge';
import { QrPanel } from './QrCode';

/**
 * The ledger as a plain table, one page of 100 after another ("Show more"): a shop's links are read from the
 * top (newest first) and searched, rarely scrolled through by the thousand.
 */
export function LinksTable({
  rows,
  hasMore,
  loadingMore,
  onLoadMore,
  onRevoke,
  onReissue,
  onDetails,
  onShowLink,
  onCheckUsage,
  checking,
  dimmed,
}: {
  rows: LinkView[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  onRevoke: (link: LinkView) => void;
  onReissue: (link: LinkView) => void;
  onDetails: (link: LinkView) => void;
  /** Shows another link of the ledger (the one a row replaced, or its replacement). */
  onShowLink: (jti: string) => void;
  onCheckUsage: (jtis: string[]) => void;
  /** The jtis whose usage is being asked for now. */
  checking: ReadonlySet<string>;
  dimmed: boolean;
}) {
  const [qrFor, setQrFor] = useState<LinkView | null>(null);
  return (
    <>
      <Table.ScrollContainer minWidth={900} style={{ opacity: dimmed ? 0.6 : 1 }}>
        <Table
          layout="fixed"
          stickyHeader
          highlightOnHover
          verticalSpacing={6}
          aria-label="Links"
          aria-busy={dimmed}
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={128}>Status</Table.Th>
              <Table.Th>File</Table.Th>
              <Table.Th>Customer</Table.Th>
              <Table.Th w={80}>Kind</Table.Th>
              <Table.Th w={184}>Expires</Table.Th>
              <Table.Th w={164}>Downloads</Table.Th>
              <Table.Th w={144}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((link) => (
              <LinkRow
                key={link.jti}
                link={link}
                checking={checking.has(link.jti)}
                onQr={setQrFor}
                onRevoke={onRevoke}
                onReissue={onReissue}
                onDetails={onDetails}
                onShowLink={onShowLink}
                onCheckUsage={onCheckUsage}
              />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {hasMore && (
        <Group justify="center" p="sm">
          <Button
            variant="default"
            onClick={onLoadMore}
            loading={loadingMore}
            leftSection={loadingMore ? <Loader size={14} /> : undefined}
          >
            Show more links
          </Button>
        </Group>
      )}
      <Modal
        opened={qrFor !== null}
        onClose={() => setQrFor(null)}
        title={<Text fw={700}>{qrFor ? `Link for ${describeLink(qrFor)}` : ''}</Text>}
        size={560}
      >
        {qrFor && (
          <Stack gap="md" align="stretch">
            <QrPanel value={qrFor.url} fileName={`${qrFor.productSlug}-qr.png`} />
            <CopyLink url={qrFor.url} />
          </Stack>
        )}
      </Modal>
    </>
  );
}

const LinkRow = memo(function LinkRow({
  link,
  checking,
  onQr,
  onRevoke,
  onReissue,
  onDetails,
  onShowLink,
  onCheckUsage,
}: {
  link: LinkView;
  checking: boolean;
  onQr: (link: LinkView) => void;
  onRevoke: (link: LinkView) => void;
  onReissue: (link: LinkView) => void;
  onDetails: (link: LinkView) => void;
  onShowLink: (jti: string) => void;
  onCheckUsage: (jtis: string[]) => void;
}) {
  const name = fileName(link.key);
  const usage = usageText(link);
  const expires = new Date(link.expiresAt);
  return (
    <Table.Tr
      aria-label={`Link ${link.jti}`}
      data-status={link.status}
      data-shared={link.sharedAt !== null ? 'true' : undefined}
    >
      <Table.Td>
        <Group gap={4} wrap="wrap">
          <LinkStatusBadge status={link.status} />
          <SharedBadge link={link} />
        </Group>
        <LinkId jti={link.jti} />
        {link.replacedBy && <Successor label="Replaced by" jti={link.replacedBy} onShow={onShowLink} />}
        {link.replaces && <Successor label="Replaces" jti={link.replaces} onShow={onShowLink} />}
      </Table.Td>
      <Table.Td>
        <Anchor
          component="button"
          type="button"
          size="sm"
          fw={500}
          c="var(--mantine-color-text)"
          display="block"
          maw="100%"
          truncate
          title={`${link.key} (details)`}
          onClick={() => onDetails(link)}
          aria-label={`Details of the link for ${name}`}
        >
          {name}
        </Anchor>
        <Text size="xs" c="dimmed" truncate title={`${link.accountName} · ${link.bucket}/${link.key}`}>
          {link.productSlug} · {link.bucket}
        </Text>
      </Table.Td>
      <Table.Td>
        {link.orderId || link.email || link.note ? (
          <>
            <Text size="sm" truncate>
              {link.orderId ? `Order ${link.orderId}` : link.email}
            </Text>
            <Text size="xs" c="dimmed" truncate title={link.note || undefined}>
              {link.orderId ? link.email || link.note : link.note}
            </Text>
          </>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{link.kind === 'verifier' ? 'Verifier' : 'Direct'}</Text>
      </Table.Td>
      <Table.Td>
        <Tooltip label={formatUtc(expires)}>
          <div>
            <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
              {formatLocalShort(expires)}
            </Text>
            <Text size="xs" c="dimmed">
              {formatFromNow(expires)}
            </Text>
          </div>
        </Tooltip>
      </Table.Td>
      <Table.Td>
        {link.kind === 'direct' ? (
          <Text size="sm" c="dimmed" title="Direct storage links are not counted">
            not counted
          </Text>
        ) : (
          <Group gap={4} wrap="nowrap">
            <Text
              size="sm"
              c={usage ? undefined : 'dimmed'}
              style={{ whiteSpace: 'nowrap' }}
              title={
                link.usageCheckedAt
                  ? `Asked the verifier ${formatLocalShort(link.usageCheckedAt)}`
                  : 'Not asked yet: press the arrows to ask your verifier'
              }
            >
              {usage ?? (link.maxDownloads === null ? 'no limit' : `limit ${link.maxDownloads}`)}
              {link.networks !== null && (
                <Text
                  component="span"
                  size="xs"
                  c={link.sharedAt !== null ? 'orange' : 'dimmed'}
                  display="block"
                  title="Places: the different networks the link was used from, as your verifier counts them"
                >
                  {placesText(link.networks)}
                </Text>
              )}
            </Text>
            <Tooltip label="Ask the verifier now">
              <ActionIcon
                size="sm"
                variant="subtle"
                color="gray"
                loading={checking}
                onClick={() => onCheckUsage([link.jti])}
                aria-label={`Check downloads of ${name}`}
              >
                <IconRefresh size={14} />
              </ActionIcon>
            </Tooltip>
          </Group>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap={2} wrap="nowrap" justify="flex-end">
          <CopyLinkIcon url={link.url} label={`Copy link for ${name}`} />
          <Tooltip label="QR code">
            <ActionIcon
              variant="subtle"
              color="gray"
              onClick={() => onQr(link)}
              aria-label={`QR code for ${name}`}
            >
              <IconQrcode size={18} />
            </ActionIcon>
          </Tooltip>
          {canReissue(link) && (
            <Tooltip label="Reissue: a new link for the same customer">
              <ActionIcon
                variant="subtle"
                color="blue"
                onClick={() => onReissue(link)}
                aria-label={`Reissue link for ${name}`}
              >
                <IconRefreshDot size={18} />
              </ActionIcon>
            </Tooltip>
          )}
          {canRevoke(link) && (
            <Tooltip label="Revoke">
              <ActionIcon
                variant="subtle"
                color="red"
                onClick={() => onRevoke(link)}
                aria-label={`Revoke link for ${name}`}
              >
                <IconBan size={18} />
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
});

/** "Replaced by AbCdEfGh…": the other link of a reissue; a click finds it in the ledger. */
function Successor({ label, jti, onShow }: { label: string; jti: string; onShow: (jti: string) => void }) {
  return (
    <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
      {label}{' '}
      <Anchor
        component="button"
        type="button"
        size="xs"
        ff="monospace"
        onClick={() => onShow(jti)}
        aria-label={`${label} ${jti}: show it`}
      >
        {jti.slice(0, JTI_SHOWN)}…
      </Anchor>
    </Text>
  );
}

/** Characters of the link id the row shows; the tooltip and the copy button have it whole. */
const JTI_SHOWN = 8;

/**
 * The link's id (its jti): what `signet links revoke` takes and what the verifier's log names, so an owner can
 * match a log line or a customer's complaint to the row. Shortened, since 22 characters would crowd the table.
 */
function LinkId({ jti }: { jti: string }) {
  const { copied, copy } = useCopy(jti, undefined, {
    title: 'The link id was not copied',
    message: `The system clipboard refused it. Select it here and press Ctrl+C (⌘C on a Mac): ${jti}`,
  });
  return (
    <Group gap={0} wrap="nowrap" mt={2}>
      <Tooltip label={`Link id ${jti}`}>
        <Text size="xs" c="dimmed" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
          {jti.length > JTI_SHOWN ? `${jti.slice(0, JTI_SHOWN)}…` : jti}
        </Text>
      </Tooltip>
      <Tooltip label={copied ? 'Link id copied' : 'Copy the link id'}>
        <ActionIcon
          size="xs"
          variant="subtle"
          color={copied ? 'teal' : 'gray'}
          onClick={() => void copy()}
          aria-label={`Copy link id ${jti}`}
        >
          {copied ? <IconCheck size={12} /> : <IconCopy size={12} />}
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}
