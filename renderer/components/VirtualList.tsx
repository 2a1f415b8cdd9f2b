/**
 * A list that renders only the rows in view (fixed row height), so query sets with thousands of
 * queries stay fast. A listbox: ↑/↓, Home/End move the selection; Enter/Space choose.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  height: number;
  selectedIndex: number;
  onSelect(index: number): void;
  renderRow(item: T, index: number, selected: boolean): ReactNode;
  keyOf(item: T, index: number): string;
  label: string;
  testId?: string;
  /** Rows drawn above and below the visible ones. */
  overscan?: number;
}

export function visibleRange(
  scrollTop: number,
  height: number,
  rowHeight: number,
  count: number,
  overscan: number,
): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return [first, last];
}

export function VirtualList<T>({
  items,
  rowHeight,
  height,
  selectedIndex,
  onSelect,
  renderRow,
  keyOf,
  label,
  testId,
  overscan = 6,
}: VirtualListProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [first, last] = visibleRange(scrollTop, height, rowHeight, items.length, overscan);

  // Keep the selected row in view when it changes from the keyboard or from outside.
  useEffect(() => {
    const el = ref.current;
    if (!el || selectedIndex < 0) return;
    const top = selectedIndex * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + height) el.scrollTop = top + rowHeight - height;
  }, [selectedIndex, rowHeight, height]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const move = (to: number) => {
      e.preventDefault();
      if (items.length) onSelect(Math.max(0, Math.min(items.length - 1, to)));
    };
    if (e.key === 'ArrowDown') move(selectedIndex + 1);
    else if (e.key === 'ArrowUp') move(selectedIndex - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(items.length - 1);
    else if (e.key === 'PageDown') move(selectedIndex + Math.floor(height / rowHeight));
    else if (e.key === 'PageUp') move(selectedIndex - Math.floor(height / rowHeight));
  };

  const activeId =
    selectedIndex >= 0 && items[selectedIndex] !== undefined
      ? `${testId ?? 'vl'}-row-${selectedIndex}`
      : undefined;
  return (
    <div
      ref={ref}
      className="virtual-list"
      role="listbox"
      aria-label={label}
      aria-activedescendant={activeId}
      tabIndex={0}
      style={{ height }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      data-testid={testId}
      data-count={items.length}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((item, offset) => {
          const index = first + offset;
          const selected = index === selectedIndex;
          return (
            <div
              key={keyOf(item, index)}
              id={`${testId ?? 'vl'}-row-${index}`}
              role="option"
              aria-selected={selected}
              className={`virtual-row ${selected ? 'selected' : ''}`}
              style={{
                position: 'absolute',
                top: index * rowHeight,
                height: rowHeight,
                left: 0,
                right: 0,
              }}
              onClick={() => onSelect(index)}
            >
              {renderRow(item, index, selected)}
            </div>
          );
        })}
      </div>
    </div>
  );
}
