/** Pieces several screens share: the tenant picker, the index's tenants, the "ingest first" state. */
import { useEffect } from 'react';
import { EmptyState } from '../components/StateViews.tsx';
import { formatCount } from '../format.ts';
import type { IndexInfo } from '../state/status.ts';
import { statusStore, useStatus } from '../state/stores.ts';

export function useIndexTenants() {
  const index = useStatus((s) => s.index);
  useEffect(() => {
    if (statusStore.getState().index.state === 'idle') void statusStore.getState().loadIndex();
  }, []);
  const tenants =
    index.state === 'ready'
      ? index.data.tenants
      : index.state === 'idle'
        ? []
        : (index.previous?.tenants ?? []);
  return { index, tenants };
}

export function TenantSelect({
  tenants,
  value,
  onChange,
  testId = 'tenant-select',
}: {
  tenants: IndexInfo['tenants'];
  value: string;
  onChange(tenant: string): void;
  testId?: string;
}) {
  return (
    <label className="field tenant-field">
      <span>Tenant</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {value && !tenants.some((t) => t.tenantId === value) ? (
          <option value={value}>{value}</option>
        ) : null}
        {tenants.map((t) => (
          <option key={t.tenantId} value={t.tenantId}>
            {t.tenantId} · {formatCount(t.docCount)} products
          </option>
        ))}
      </select>
    </label>
  );
}

export function NoIndex({ info, onIngest }: { info: IndexInfo; onIngest(): void }) {
  return (
    <EmptyState
      title={
        info.exists
          ? `Index “${info.index}” has no documents`
          : `Index “${info.index}” does not exist yet`
      }
      testId="search-no-index"
      action={
        <button type="button" className="button" onClick={onIngest}>
          Go to Ingest
        </button>
      }
    >
      This screen needs an ingested catalog.
    </EmptyState>
  );
}
