import { Checkbox, Text, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconArrowsSort } from '@tabler/icons-react';
import type { CSSProperties, ReactNode } from 'react';
import type { Sort } from '@shared/library/schemas';
import { GRID_COLUMNS } from './ObjectTableRow';

export const HEADER_HEIGHT = 38;

type SortColumn = Sort['column'];

/** Sizes and dates are most useful biggest/newest first; words alphabetically. */
const FIRST_DIRECTION: Record<SortColumn, Sort['direction']> = {
  name: 'asc',
  type: 'asc',
  access: 'asc',
  size: 'desc',
  lastModified: 'desc',
};

const cell: CSSProperties = { display: 'flex', alignItems: 'center', padding: '0 8px', minWidth: 0 };

export function ObjectTableHeader({
  sort,
  onSort,
  checked,
  indeterminate,
  onToggleAll,
  canSelect,
}: {
  sort: Sort;
  onSort: (sort: Sort) => void;
  checked: boolean;
  indeterminate: boolean;
  onToggleAll: () => void;
  canSelect: boolean;
}) {
  const sortable = (column: SortColumn, label: string, align: 'left' | 'right' = 'left'): ReactNode => {
    const active = sort.column === column;
    const Icon = !active ? IconArrowsSort : sort.direction === 'asc' ? IconArrowUp : IconArrowDown;
    return (
      <div
        role="columnheader"
        aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
        style={{ ...cell, justifyContent: align === 'right' ? 'flex-end' : 'flex-start' }}
      >
        <UnstyledButton
          onClick={() =>
            onSort(
              active
                ? { column, direction: sort.direction === 'asc' ? 'desc' : 'asc' }
                : { column, direction: FIRST_DIRECTION[column] },
            )
          }
          style={{ display: 'flex', alignItems: 'center', gap: 4 }}
        >
          <Text size="sm" fw={700}>
            {label}
          </Text>
          <Icon size={14} aria-hidden style={{ opacity: active ? 1 : 0.4 }} />
        </UnstyledButton>
      </div>
    );
  };
  const plain = (label: string) => (
    <div role="columnheader" style={cell}>
      <Text size="sm" fw={700}>
        {label}
      </Text>
    </div>
  );

  return (
    <div
      role="row"
      aria-rowindex={1}
      style={{
        display: 'grid',
        gridTemplateColumns: GRID_COLUMNS,
        height: HEADER_HEIGHT,
        borderBottom: '1px solid var(--mantine-color-default-border)',
        background: 'var(--mantine-color-body)',
      }}
    >
      <div role="columnheader" style={{ ...cell, justifyContent: 'center' }}>
        <Checkbox
          size="xs"
          aria-label="Select all loaded rows"
          checked={checked}
          indeterminate={indeterminate}
          disabled={!canSelect}
          onChange={onToggleAll}
        />
      </div>
      {sortable('name', 'Name')}
      {plain('Folder')}
      {sortable('size', 'Size', 'right')}
      {sortable('type', 'Type')}
      {sortable('lastModified', 'Last modified')}
      {sortable('access', 'Access')}
      {plain('Verified')}
    </div>
  );
}
