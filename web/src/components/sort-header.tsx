import { useState } from 'react';

/** A column of a sortable table: `sort` null for columns that do not sort. */
export interface SortColumn<S extends string> {
  sort: S | null;
  label: string;
  num?: boolean;
}

/** The header row of a sortable table: buttons on sortable columns, `aria-sort` on the sorted one. */
export function SortHeader<S extends string>({
  columns,
  sort,
  order,
  onSort,
}: {
  columns: readonly SortColumn<S>[];
  sort: S;
  order: 'asc' | 'desc';
  onSort: (s: S) => void;
}) {
  return (
    <tr>
      {columns.map((c) => (
        <th
          key={c.label}
          className={c.num ? 'num' : undefined}
          aria-sort={c.sort === sort ? (order === 'asc' ? 'ascending' : 'descending') : undefined}
        >
          {c.sort ? (
            <button type="button" onClick={() => onSort(c.sort!)}>
              {c.label} {c.sort === sort ? (order === 'asc' ? '▲' : '▼') : ''}
            </button>
          ) : (
            c.label
          )}
        </th>
      ))}
    </tr>
  );
}

/**
 * A table's sort state: clicking the sorted column flips the order; another column sorts by it,
 * ascending if `ascending(column)` says so (names, first times), else descending.
 */
export function useSort<S extends string>(initial: S, ascending: (s: S) => boolean) {
  const [sort, setSort] = useState<S>(initial);
  const [order, setOrder] = useState<'asc' | 'desc'>(ascending(initial) ? 'asc' : 'desc');
  const sortBy = (s: S) => {
    if (s === sort) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setSort(s);
      setOrder(ascending(s) ? 'asc' : 'desc');
    }
  };
  return { sort, order, sortBy };
}
