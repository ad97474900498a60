import { Checkbox, Group, Text, Tooltip } from '@mantine/core';
import { IconFolderFilled } from '@tabler/icons-react';
import { memo, type CSSProperties, type MouseEvent } from 'react';
import type { ObjectRow } from '@shared/library/schemas';
import { AccessBadge, LeakBadge } from './AccessBadge';
import {
  describeStatus,
  formatAgo,
  formatBytes,
  formatDateTime,
  friendlyType,
} from '../../lib/library-format';

/**
 * Shared by the header and every row so the columns line up without a <table> (rows are positioned, each its
 * own grid). Only fixed widths and fr shares with fixed minimums: a track sized by its content would make a
 * row with a wider cell (a "Leak" badge) shift its columns away from the header's.
 */
export const GRID_COLUMNS = '40px minmax(150px, 1.3fr) minmax(110px, 1fr) 80px 104px 160px 136px 130px';
/** The columns' minimum widths added up: below it the table scrolls sideways instead of squeezing. */
export const GRID_MIN_WIDTH = 910;
export const ROW_HEIGHT = 40;

export const ROW_CLASS = 'signet-lib-row';

interface Common {
  index: number;
  style: CSSProperties;
  active: boolean;
  onRowClick: (index: number, e: MouseEvent) => void;
}

const cell: CSSProperties = { minWidth: 0, display: 'flex', alignItems: 'center', padding: '0 8px' };

export const FolderTableRow = memo(function FolderTableRow({
  index,
  style,
  active,
  onRowClick,
  name,
  parent,
}: Common & { name: string; parent: string }) {
  return (
    <div
      role="row"
      id={`lib-row-${index}`}
      aria-rowindex={index + 2}
      aria-label={`Folder ${name}`}
      className={ROW_CLASS}
      data-active={active || undefined}
      onClick={(e) => onRowClick(index, e)}
      style={{ ...style, gridTemplateColumns: GRID_COLUMNS }}
    >
      <div role="gridcell" style={cell} />
      <div role="gridcell" style={cell}>
        <Group gap={8} wrap="nowrap" style={{ minWidth: 0 }}>
          <IconFolderFilled size={18} color="var(--mantine-color-yellow-6)" style={{ flex: 'none' }} />
          <Text size="sm" fw={600} truncate>
            {name}
          </Text>
        </Group>
      </div>
      <div role="gridcell" style={cell}>
        <Text size="sm" c="dimmed" truncate>
          {parent === '' ? '—' : parent.replace(/\/$/, '')}
        </Text>
      </div>
      <div role="gridcell" style={cell} />
      <div role="gridcell" style={cell}>
        <Text size="sm" c="dimmed">
          Folder
        </Text>
      </div>
      <div role="gridcell" style={cell} />
      <div role="gridcell" style={cell} />
      <div role="gridcell" style={cell} />
    </div>
  );
});

export const ObjectTableRow = memo(function ObjectTableRow({
  index,
  style,
  active,
  onRowClick,
  row,
  selected,
  onCheck,
}: Common & { row: ObjectRow; selected: boolean; onCheck: (index: number, e: MouseEvent) => void }) {
  return (
    <div
      role="row"
      id={`lib-row-${index}`}
      aria-rowindex={index + 2}
      aria-selected={selected}
      aria-label={row.key}
      className={ROW_CLASS}
      data-active={active || undefined}
      data-selected={selected || undefined}
      data-leak={row.leak || undefined}
      onClick={(e) => onRowClick(index, e)}
      style={{ ...style, gridTemplateColumns: GRID_COLUMNS }}
    >
      <div role="gridcell" style={{ ...cell, justifyContent: 'center' }}>
        <Checkbox
          size="xs"
          checked={selected}
          tabIndex={-1}
          aria-label={`Select ${row.name}`}
          // The click, not the change, carries shift/ctrl; the row's own click must not open details too.
          onClick={(e) => {
            e.stopPropagation();
            onCheck(index, e);
          }}
          onChange={() => undefined}
        />
      </div>
      <div role="gridcell" style={cell} title={row.name}>
        {/* The leak badge leads the row: it is the first thing to see, and the access column stays narrow. */}
        <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
          {row.leak && <LeakBadge size="sm" style={{ flex: 'none', cursor: 'help' }} />}
          <Text size="sm" fw={500} truncate>
            {row.name}
          </Text>
        </Group>
      </div>
      <div role="gridcell" style={cell} title={row.folder}>
        <Text size="sm" c="dimmed" truncate>
          {row.folder === '' ? '—' : row.folder.replace(/\/$/, '')}
        </Text>
      </div>
      <div role="gridcell" style={{ ...cell, justifyContent: 'flex-end' }} title={`${row.size} bytes`}>
        <Text size="sm" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
          {formatBytes(row.size)}
        </Text>
      </div>
      <div role="gridcell" style={cell} title={row.contentType ?? 'No content type stored'}>
        <Text size="sm" truncate>
          {friendlyType(row.contentType, row.name)}
        </Text>
      </div>
      <div role="gridcell" style={cell}>
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {formatDateTime(row.lastModified)}
        </Text>
      </div>
      <div role="gridcell" style={cell}>
        <AccessBadge access={row.access} size="sm" />
      </div>
      <div role="gridcell" style={cell}>
        {row.verified ? (
          <Tooltip
            label={`${describeStatus(row.verified.status)} (${formatDateTime(row.verified.at)})`}
            multiline
            w={260}
          >
            <Text
              size="sm"
              c={row.leak ? 'red' : undefined}
              fw={row.leak ? 700 : undefined}
              style={{ whiteSpace: 'nowrap' }}
            >
              {row.verified.status === 0 ? 'no answer' : row.verified.status} · {formatAgo(row.verified.at)}
            </Text>
          </Tooltip>
        ) : (
          <Text size="sm" c="dimmed" aria-label="Not verified">
            —
          </Text>
        )}
      </div>
    </div>
  );
});
