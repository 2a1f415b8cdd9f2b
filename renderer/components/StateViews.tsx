/** The loading, empty and error states every screen uses, so they look and read the same. */
import type { ReactNode } from 'react';

export function Loading({ label, testId }: { label: string; testId?: string }) {
  return (
    <div
      className="state state-loading"
      role="status"
      aria-live="polite"
      data-testid={testId ?? 'loading'}
    >
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({
  title,
  children,
  testId,
  action,
}: {
  title: string;
  children?: ReactNode;
  testId?: string;
  action?: ReactNode;
}) {
  return (
    <div className="state state-empty" data-testid={testId ?? 'empty-state'}>
      <p className="state-title">{title}</p>
      {children ? <div className="state-body">{children}</div> : null}
      {action ? <div className="state-action">{action}</div> : null}
    </div>
  );
}

export function ErrorBanner({
  error,
  title,
  onRetry,
  testId,
}: {
  error: { code: string; message: string };
  title?: string;
  onRetry?: () => void;
  testId?: string;
}) {
  return (
    <div
      className="state state-error"
      role="alert"
      data-testid={testId ?? 'error-banner'}
      data-error-code={error.code}
    >
      <div>
        <p className="state-title">{title ?? 'Something went wrong'}</p>
        <p className="state-body">
          <code className="error-code">{error.code}</code> {error.message}
        </p>
      </div>
      {onRetry ? (
        <button type="button" className="button secondary" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
