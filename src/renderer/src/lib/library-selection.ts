import { useCallback, useMemo, useState } from 'react';
import type { ObjectQuery, SelectionInput } from '@shared/library/schemas';

/**
 * Which objects the next action works on (verify now; make private/public and links later). Either rows
 * picked by id, or "all N matching" the current query, which stays a query so it covers a million objects
 * without listing them. A selection belongs to one query: another folder, filter or search starts empty,
 * so an action never touches rows the user can no longer see.
 */
export interface LibrarySelection {
  /** How many objects the action would touch. */
  count: number;
  /** True when the selection is "every object matching the query", not a list of ids. */
  allMatching: boolean;
  isSelected(id: number): boolean;
  /** A checkbox or ctrl/cmd-click: flips one row and makes it the anchor of the next shift-click. */
  toggle(id: number, loaded: readonly number[]): void;
  /** A shift-click: selects every loaded row between the anchor and this one (anchor included). */
  extendTo(id: number, loaded: readonly number[]): void;
  /** The header checkbox: every loaded row, or none when they all are already. */
  toggleLoaded(loaded: readonly number[]): void;
  selectAllMatching(): void;
  clear(): void;
  /** What `library:verify` and later actions take; null when nothing is selected. */
  toSelection(): SelectionInput | null;
}

interface State {
  scope: string;
  ids: ReadonlySet<number>;
  anchor: number | null;
  all: boolean;
}

const EMPTY: Omit<State, 'scope'> = { ids: new Set(), anchor: null, all: false };

export function useLibrarySelection(query: ObjectQuery | null, total: number): LibrarySelection {
  const scope = JSON.stringify(query);
  const [state, setState] = useState<State>({ scope, ...EMPTY });

  const update = useCallback(
    (next: (s: State) => Omit<State, 'scope'>) =>
      setState((prev) => ({ scope, ...next(prev.scope === scope ? prev : { scope, ...EMPTY }) })),
    [scope],
  );

  return useMemo<LibrarySelection>(() => {
    // A selection made under another query is not shown and not acted on.
    const current: State = state.scope === scope ? state : { scope, ...EMPTY };
    // "All matching" with one row unticked becomes the loaded rows minus that one: the contract has no
    // "all except", and pretending otherwise would act on rows the user unticked.
    const explicit = (s: State, loaded: readonly number[]) => (s.all ? new Set(loaded) : new Set(s.ids));
    return {
      count: current.all ? total : current.ids.size,
      allMatching: current.all,
      isSelected: (id) => current.all || current.ids.has(id),
      toggle: (id, loaded) =>
        update((s) => {
          const ids = explicit(s, loaded);
          if (ids.has(id)) ids.delete(id);
          else ids.add(id);
          return { ids, anchor: id, all: false };
        }),
      extendTo: (id, loaded) =>
        update((s) => {
          const ids = explicit(s, loaded);
          const from = s.anchor === null ? -1 : loaded.indexOf(s.anchor);
          const to = loaded.indexOf(id);
          if (from < 0 || to < 0) {
            ids.add(id);
            return { ids, anchor: id, all: false };
          }
          for (let i = Math.min(from, to); i <= Math.max(from, to); i++) ids.add(loaded[i]!);
          return { ids, anchor: s.anchor, all: false };
        }),
      toggleLoaded: (loaded) =>
        update((s) => {
          const everyLoaded = s.all || (loaded.length > 0 && loaded.every((id) => s.ids.has(id)));
          return everyLoaded ? EMPTY : { ids: new Set(loaded), anchor: null, all: false };
        }),
      selectAllMatching: () => update(() => ({ ids: new Set(), anchor: null, all: true })),
      clear: () => update(() => EMPTY),
      toSelection: () => {
        if (!query) return null;
        if (current.all) return total > 0 ? { kind: 'query', query } : null;
        if (current.ids.size === 0) return null;
        return { kind: 'ids', bucketId: query.bucketId, ids: [...current.ids] };
      },
    };
  }, [state, scope, total, update, query]);
}
