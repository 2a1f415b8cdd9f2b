import { useState } from 'react';
import { formatPriceRange } from '../format.ts';
import type { SpuHit } from '../state/search.ts';
import { ExplainPopover } from './ExplainBar.tsx';

export function Thumbnail({
  src,
  alt,
  size = 'normal',
}: {
  src: string | null;
  alt: string;
  size?: 'normal' | 'small';
}) {
  const [broken, setBroken] = useState(false);
  const cls = `thumb ${size === 'small' ? 'thumb-small' : ''}`;
  if (!src || broken) {
    return (
      <div className={`${cls} thumb-empty`} aria-hidden="true">
        {size === 'small' ? '' : 'No image'}
      </div>
    );
  }
  return (
    <img
      className={cls}
      src={src}
      alt={alt}
      loading="lazy"
      referrerPolicy="no-referrer"
      onError={() => setBroken(true)}
    />
  );
}

/** The value a SKU shows for the dimension (option1..3 by position, else the option of that name). */
export function skuChipLabel(sku: SpuHit['skus'][number], dimension: string | null): string | null {
  if (sku.options.length === 0) return sku.sku_code;
  if (!dimension) return sku.options.map((o) => o.value).join(' / ');
  const slot = /^option([123])$/.exec(dimension);
  if (slot) return sku.options[Number(slot[1]) - 1]?.value ?? null;
  return sku.options.find((o) => o.name === dimension)?.value ?? null;
}

const MAX_CHIPS = 6;

function SkuChips({ hit, dimension }: { hit: SpuHit; dimension: string | null }) {
  const labels: Array<{ label: string; title: string }> = [];
  const seen = new Set<string>();
  for (const sku of hit.skus) {
    const label = skuChipLabel(sku, dimension);
    if (!label || seen.has(label)) continue;
    seen.add(label);
    labels.push({
      label,
      title: `SKU ${sku.sku_code ?? sku.sku_id}${sku.price !== null ? ` · ${sku.price.toFixed(2)}` : ''}${sku.stock <= 0 ? ' · out of stock' : ''}`,
    });
  }
  if (labels.length === 0) return null;
  return (
    <ul
      className="sku-chips"
      aria-label={dimension ? `SKUs by ${dimension}` : 'SKUs'}
      data-testid="sku-chips"
    >
      {labels.slice(0, MAX_CHIPS).map((l) => (
        <li key={l.label} className="chip" title={l.title}>
          {l.label}
        </li>
      ))}
      {labels.length > MAX_CHIPS ? (
        <li className="chip muted">+{labels.length - MAX_CHIPS}</li>
      ) : null}
    </ul>
  );
}

export interface ResultCardProps {
  hit: SpuHit;
  rank: number;
  skuDimension: string | null;
  explainOpen?: boolean;
  onExplain?: (open: boolean) => void;
}

export function ResultCard({
  hit,
  rank,
  skuDimension,
  explainOpen = false,
  onExplain,
}: ResultCardProps) {
  const title = hit.titles.zh ?? hit.titles.en ?? hit.spu_id;
  const secondTitle = hit.titles.zh && hit.titles.en ? hit.titles.en : null;
  const vendor = [hit.vendor.zh, hit.vendor.en]
    .filter((v, i, all) => v && all.indexOf(v) === i)
    .join(' · ');
  const price = formatPriceRange(hit.prices.min, hit.prices.max);
  const category = hit.category.path.zh ?? hit.category.path.en;
  return (
    <article
      className="result-card"
      data-testid="result-card"
      data-spu-id={hit.spu_id}
      aria-label={`Result ${rank}: ${title}`}
    >
      <Thumbnail src={hit.image} alt={title} />
      <div className="result-main">
        <div className="result-top">
          <span className="rank">#{rank}</span>
          <span className="result-top-right">
            <span className="score" title="Relevance score" data-testid="result-score">
              {hit.relevance_score === null ? '—' : hit.relevance_score.toFixed(3)}
            </span>
            {onExplain ? (
              <button
                type="button"
                className="link-button"
                aria-expanded={explainOpen}
                onClick={() => onExplain(!explainOpen)}
                data-testid="explain-open"
              >
                Explain
              </button>
            ) : null}
          </span>
        </div>
        <h3
          className="result-title"
          lang={hit.titles.zh ? 'zh' : 'en'}
          data-testid="result-title-zh"
        >
          {title}
        </h3>
        {secondTitle ? (
          <p className="result-subtitle" lang="en" data-testid="result-title-en">
            {secondTitle}
          </p>
        ) : null}
        <dl className="result-meta">
          {vendor ? (
            <div>
              <dt>Vendor</dt>
              <dd data-testid="result-vendor">{vendor}</dd>
            </div>
          ) : null}
          {price ? (
            <div>
              <dt>Price</dt>
              <dd data-testid="result-price">{price}</dd>
            </div>
          ) : null}
          {category ? (
            <div className="wide">
              <dt>Category</dt>
              <dd>{category}</dd>
            </div>
          ) : null}
        </dl>
        <SkuChips hit={hit} dimension={skuDimension} />
      </div>
      {explainOpen && onExplain ? (
        <ExplainPopover hit={hit} title={title} onClose={() => onExplain(false)} />
      ) : null}
    </article>
  );
}
