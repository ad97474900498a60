import { Group, Loader, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import type { ObjectPage, ObjectRow, Sort } from '@shared/library/schemas';
import { formatCount, formatTotal } from '../../lib/library-format';
import { HEADER_HEIGHT, ObjectTableHeader } from './ObjectTableHeader';
import { FolderTableRow, GRID_MIN_WIDTH, ObjectTableRow, ROW_CLASS, ROW_HEIGHT } from './ObjectTableRow';
import type { LibrarySelection } from '../../lib/library-selection';

/** Start loading the next page this many rows before the end, so scrolling rarely meets the loader. */
const LOAD_AHEAD = 40;

// Hover, focus and leak colours need selectors, which style attributes cannot express.
const CSS = `
.${ROW_CLASS} { position: absolute; left: 0; right: 0; display: grid; height: ${ROW_HEIGHT}px; cursor: pointer;
  user-select: none; border-bottom: 1px solid var(--mantine-color-default-border); }
.${ROW_CLASS}:hover { background: var(--mantine-color-default-hover); }
.${ROW_CLASS}[data-selected] { background: var(--mantine-primary-color-light); }
.${ROW_CLASS}[data-leak] { background: var(--mantine-color-red-light); box-shadow: inset 4px 0 0 var(--mantine-color-red-filled); }
.${ROW_CLASS}[data-leak][data-selected] { background: var(--mantine-color-red-light-hover); }
.signet-lib-grid:focus-visible .${ROW_CLASS}[data-active] { outline: 2px solid var(--mantine-primary-color-filled); outline-offset: -2px; }
.signet-lib-grid:focus { outline: none; }
`;

export function ObjectTable({
  label,
  folders,
  rows,
  total,
  totalCapped,
  hasMore,
  loadingMore,
  onLoadMore,
  sort,
  onSort,
  selection,
  onOpenFolder,
  onOpenObject,
  dimmed,
}: {
  label: string;
  folders: ObjectPage['folders'];
  rows: ObjectRow[];
  /** Objects matching the query (not counting folders), for aria-rowcount and "select all". */
  total: number;
  /** More match than `total` (a search's count stops at its cap): the number of rows is not known. */
  totalCapped: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  sort: Sort;
  onSort: (sort: Sort) => void;
  selection: LibrarySelection;
  onOpenFolder: (path: string) => void;
  onOpenObject: (row: ObjectRow) => void;
  /** The rows on screen belong to the previous query while the new one loads. */
  dimmed: boolean;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const count = folders.length + rows.length + (hasMore ? 1 : 0);

  // Fixed row height: no measuring, so 100k rows scroll as smoothly as 100.
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's own React adapter; its values are read in render only
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    // The sticky header sits inside the scroll area, above the first row.
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= count - 1 - LOAD_AHEAD) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, count, onLoadMore]);

  const ids = useMemo(() => rows.map((r) => r.id), [rows]);
  const activeIndex = Math.min(active, Math.max(0, count - 1));

  const rowAt = useCallback(
    (index: number) => (index >= folders.length ? rows[index - folders.length] : undefined),
    [folders.length, rows],
  );

  const select = useCallback(
    (index: number, e: { shiftKey: boolean }) => {
      const row = rowAt(index);
      if (!row) return;
      if (e.shiftKey) selection.extendTo(row.id, ids);
      else selection.toggle(row.id, ids);
    },
    [rowAt, selection, ids],
  );

  const open = useCallback(
    (index: number) => {
      const folder = folders[index];
      if (folder) onOpenFolder(folder.path);
      const row = rowAt(index);
      if (row) onOpenObject(row);
    },
    [folders, rowAt, onOpenFolder, onOpenObject],
  );

  const onRowClick = useCallback(
    (index: number, e: MouseEvent) => {
      setActive(index);
      // Shift extends, ctrl/cmd toggles, as in every file manager; a plain click opens.
      if (e.shiftKey || e.ctrlKey || e.metaKey) select(index, e);
      else open(index);
    },
    [select, open],
  );
  const onCheck = useCallback(
    (index: number, e: MouseEvent) => {
      setActive(index);
      select(index, e);
    },
    [select],
  );

  const move = (to: number) => {
    const next = Math.max(0, Math.min(count - 1, to));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(activeIndex + 1),
      ArrowUp: () => move(activeIndex - 1),
      PageDown: () => move(activeIndex + page),
      PageUp: () => move(activeIndex - page),
      Home: () => move(0),
      End: () => move(count - 1),
      Enter: () => open(activeIndex),
      ' ': () => select(activeIndex, e),
    };
    const action = keys[e.key];
    if (action && e.target === e.currentTarget) {
      e.preventDefault();
      action();
    }
  };

  // Not per scroll frame: with 100k rows loaded this walk is the costliest thing in the render.
  const allLoadedSelected = useMemo(
    () => ids.length > 0 && ids.every((id) => selection.isSelected(id)),
    [ids, selection],
  );

  return (
    <div
      ref={scrollRef}
      role="grid"
      aria-label={label}
      aria-rowcount={totalCapped ? -1 : 1 + folders.length + total}
      aria-colcount={8}
      aria-multiselectable
      aria-busy={dimmed || loadingMore}
      aria-activedescendant={count > 0 ? `lib-row-${activeIndex}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      className="signet-lib-grid"
      style={{ flex: 1, minHeight: 0, overflow: 'auto', position: 'relative', opacity: dimmed ? 0.6 : 1 }}
    >
      <style href="signet-library-grid" precedence="default">
        {CSS}
      </style>
      <div role="rowgroup" style={{ position: 'sticky', top: 0, zIndex: 2, minWidth: GRID_MIN_WIDTH }}>
        <ObjectTableHeader
          sort={sort}
          onSort={onSort}
          checked={allLoadedSelected}
          indeterminate={!allLoadedSelected && selection.count > 0}
          onToggleAll={() => selection.toggleLoaded(ids)}
          canSelect={ids.length > 0}
        />
      </div>
      <div
        role="rowgroup"
        style={{ position: 'relative', height: virtualizer.getTotalSize(), minWidth: GRID_MIN_WIDTH }}
      >
        {items.map((item) => {
          const style = { transform: `translateY(${item.start - HEADER_HEIGHT}px)` };
          const folder = folders[item.index];
          if (folder) {
            return (
              <FolderTableRow
                key={`f:${folder.path}`}
                index={item.index}
                style={style}
                active={item.index === activeIndex}
                onRowClick={onRowClick}
                name={folder.name}
                parent={folder.path.slice(0, folder.path.length - folder.name.length - 1)}
              />
            );
          }
          const row = rowAt(item.index);
          if (!row) {
            return (
              <div
                key="more"
                role="row"
                aria-rowindex={item.index + 2}
                className={ROW_CLASS}
                style={{ ...style, cursor: 'default' }}
              >
                <div
                  role="gridcell"
                  style={{ gridColumn: '1 / -1', display: 'flex', alignItems: 'center', padding: '0 12px' }}
                >
                  <Group gap="xs">
                    <Loader size="xs" />
                    <Text size="sm" c="dimmed">
                      {`Loading more files… (${formatCount(rows.length)} of ${formatTotal(total, totalCapped)} shown)`}
                    </Text>
                  </Group>
                </div>
              </div>
            );
          }
          return (
            <ObjectTableRow
              key={row.id}
              index={item.index}
              style={style}
              active={item.index === activeIndex}
              onRowClick={onRowClick}
              row={row}
              selected={selection.isSelected(row.id)}
              onCheck={onCheck}
            />
          );
        })}
      </div>
    </div>
  );
}
