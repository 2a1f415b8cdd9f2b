import { useState } from 'react';
import type { BasicHit } from '../state/search.ts';
import { formatPriceRange } from '../format.ts';

function Thumbnail({ src, alt }: { src: string | null; alt: string }) {
  const [broken, setBroken] = useState(false);
  if (!src || broken) {
    return (
      <div className="thumb thumb-empty" aria-hidden="true">
        No image
      </div>
    );
  }
  return <img className="thumb" src={src} alt={alt} loading="lazy" referrerPolicy="no-referrer" onError={() => setBroken(true)} />;
}

export function ResultCard({ hit, rank }: { hit: BasicHit; rank: number }) {
  const title = hit.titleZh ?? hit.titleEn ?? hit.spuId ?? hit.id;
  const secondTitle = hit.titleZh && hit.titleEn ? hit.titleEn : null;
  const vendor = [hit.vendorZh, hit.vendorEn].filter((v, i, all) => v && all.indexOf(v) === i).join(' · ');
  const price = formatPriceRange(hit.minPrice, hit.maxPrice);
  const category = hit.categoryPathZh ?? hit.categoryPathEn;
  return (
    <article className="result-card" data-testid="result-card" data-doc-id={hit.id} aria-label={`Result ${rank}: ${title}`}>
      <Thumbnail src={hit.imageSrc} alt={title} />
      <div className="result-main">
        <div className="result-top">
          <span className="rank" aria-label={`Rank ${rank}`}>
            #{rank}
          </span>
          <span className="score" title="Elasticsearch score" data-testid="result-score">
            {hit.score === null ? '—' : hit.score.toFixed(3)}
          </span>
        </div>
        <h3 className="result-title" lang={hit.titleZh ? 'zh' : 'en'} data-testid="result-title-zh">
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
        <p className="result-id muted">
          SPU <code>{hit.spuId ?? hit.id}</code>
        </p>
      </div>
    </article>
  );
}
