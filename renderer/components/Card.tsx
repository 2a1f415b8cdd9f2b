import type { ReactNode } from 'react';

export function Card({
  title,
  actions,
  children,
  testId,
  className,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
  className?: string;
}) {
  const headingId = `card-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={headingId} data-testid={testId}>
      <header className="card-header">
        <h2 id={headingId}>{title}</h2>
        {actions ? <div className="card-actions">{actions}</div> : null}
      </header>
      <div className="card-body">{children}</div>
    </section>
  );
}

/** A definition list of label → value rows. */
export function Facts({
  rows,
  testId,
}: {
  rows: Array<[label: string, value: ReactNode, testId?: string]>;
  testId?: string;
}) {
  return (
    <dl className="facts" data-testid={testId}>
      {rows.map(([label, value, id]) => (
        <div className="fact" key={label}>
          <dt>{label}</dt>
          <dd data-testid={id}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
