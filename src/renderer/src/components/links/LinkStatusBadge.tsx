import { Badge, Tooltip } from '@mantine/core';
import type { LinkStatus } from '../../../../shared/links/schemas';

export const STATUS_INFO: Record<LinkStatus, { label: string; color: string; explanation: string }> = {
  active: { label: 'Active', color: 'teal', explanation: 'The link works until it expires.' },
  revoked: {
    label: 'Revoked',
    color: 'red',
    explanation: 'You revoked this link: the verifier refuses it.',
  },
  expired: { label: 'Expired', color: 'gray', explanation: 'The link’s time is up: it no longer works.' },
};

export function LinkStatusBadge({ status }: { status: LinkStatus }) {
  const info = STATUS_INFO[status];
  return (
    <Tooltip label={info.explanation} openDelay={400}>
      <Badge variant="light" color={info.color} miw="max-content" style={{ cursor: 'help' }}>
        {info.label}
      </Badge>
    </Tooltip>
  );
}
