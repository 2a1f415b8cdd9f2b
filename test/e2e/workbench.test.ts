/**
 * The analyst's path through the workbench in Debian's Chromium, browser mode, real engine, real
 * ES, the demo catalog ingested into its own index: load → search → facet → explain → compare two
 * configs (one query and the query set) → move a slider and see the metric change → rate a hit
 * with the keyboard → run a short auto-tune → export the bundle and re-load it → experiments.
 * No sleeps: every wait is on the app-ready marker, a data-testid or a polled value.
 * Screenshots of every screen go to test-results/e2e-workbench/.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { invoke } from '../../engine/api/invoke.ts';
import { startHttpServer, type RunningHttpServer } from '../../engine/http/server.ts';
import { buildRenderer } from '../../engine/cli/commands/app.ts';
import { repoRoot } from '../../engine/paths.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { deleteFixtureIndex } from './fixtures.ts';
import {
  importQuerySet,
  ingestDemoCatalog,
  QUERIES,
  QUERY_SET,
  TENANT,
  WORKBENCH_INDEX,
} from './workbench-setup.ts';

const CHROMIUM = process.env.RWB_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(repoRoot(), 'test-results', 'e2e-workbench');

/** A slider the demo query set is sensitive to (its ranking changes, and with it ndcg@10). */
const SENSITIVE_SLIDER = 'domains.default.fields.brief_zh.boost';

const missing = [
  await requireComponent('Elasticsearch', () => esAvailable()),
  await requireComponent('Chromium', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} not found (apt-get install -y chromium)`);
  }),
];

describeWith(missing, 'the workbench in Chromium (browser mode, demo catalog)', () => {
  let tmp: string;
  let ctx: ApiContext;
  let server: RunningHttpServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  async function open(screen: string): Promise<void> {
    await page.goto(`${server.url}#/${screen}`);
    await page.locator('[data-testid=app-ready]').waitFor({ state: 'attached' });
    await page.getByTestId(`screen-${screen}`).waitFor();
  }
  async function shoot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }
  const metricValue = async () =>
    Number(await page.getByTestId('tune-metric-value').getAttribute('data-value'));

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-e2e-wb-'));
    process.env.RWB_HOME = path.join(tmp, 'home');
    await fs.mkdir(SHOTS, { recursive: true });
    const rendererDir = path.join(tmp, 'renderer');
    await buildRenderer(() => undefined, rendererDir);
    expect(await ingestDemoCatalog(esUrl(), tmp)).toBe(300);
    ctx = createApiContext({
      mode: 'browser',
      es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 },
      defaultIndex: WORKBENCH_INDEX,
    });
    await importQuerySet(ctx);
    // Two configs to compare: the default saved as a revision, and a working config with other boosts.
    await invoke('config.save', { note: 'default boosts' }, ctx);
    await invoke(
      'config.set',
      {
        overrides: {
          'domains.default.fields.brief_zh.boost': 6,
          'domains.default.fields.category_name_zh.boost': 5,
        },
      },
      ctx,
    );
    server = await startHttpServer({ ctx, rendererDir, port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await ctx?.close();
    await deleteFixtureIndex(esUrl(), WORKBENCH_INDEX);
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('loads: Elasticsearch green and the demo tenants in the index', async () => {
    await open('connections');
    await expect
      .poll(() => page.getByTestId('es-health').getAttribute('data-health'))
      .toMatch(/green|yellow/);
    await page.getByTestId(`tenant-row-${TENANT}`).waitFor();
    await page.getByTestId('models-table').waitFor();
    await page.getByTestId('secrets-store').waitFor();
    await shoot('01-connections');
  });

  it('searches, highlights a parse error, applies a facet and explains a hit', async () => {
    await open('search');
    await page.getByTestId('search-results').waitFor();
    await page.getByTestId('query-input').fill('耳机 AND (蓝牙');
    await page.getByTestId('query-error').waitFor();
    expect(await page.getByTestId('query-error').textContent()).toMatch(/\)|paren/i);
    await shoot('02-search-parse-error');

    await page.getByTestId('query-input').fill('耳机');
    await page.getByTestId('query-input').press('Enter');
    await expect.poll(() => page.getByTestId('qi-language').textContent()).toMatch(/zh/);
    const before = Number(
      (await page.getByTestId('search-total').textContent())!.replace(/,/g, ''),
    );
    expect(before).toBeGreaterThan(1);

    // A facet with at least two values: selecting one narrows the results, its siblings stay.
    const facet = page
      .locator('[data-testid=facet]')
      .filter({ has: page.locator('[data-testid=facet-value] >> nth=1') })
      .first();
    const field = await facet.getAttribute('data-field');
    const value = facet.getByTestId('facet-value').first();
    const chosen = await value.getAttribute('data-value');
    await value.check();
    await expect
      .poll(async () =>
        Number((await page.getByTestId('search-total').textContent())!.replace(/,/g, '')),
      )
      .toBeLessThan(before);
    const sameFacet = page.locator(`[data-testid=facet][data-field="${field}"]`);
    expect(
      await sameFacet.locator(`[data-testid=facet-value][data-value="${chosen}"]`).isChecked(),
    ).toBe(true);
    expect(await sameFacet.getByTestId('facet-value').count()).toBeGreaterThan(1);
    await page.getByTestId('filter-chip').first().waitFor();

    await page.getByTestId('explain-open').first().click();
    await page.getByTestId('explain-popover').waitFor();
    await page.getByTestId('explain-part-lexical').first().waitFor();
    await shoot('03-search-facet-explain');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('explain-popover').count()).toBe(0);
  });

  it('compares two configs for one query and over the query set', async () => {
    await open('compare');
    await page.getByTestId('compare-query').fill('耳机');
    await page.getByTestId('compare-run').click();
    await expect.poll(() => page.getByTestId('compare-column').count()).toBe(2);
    // Baseline: the saved default revision; second column: the working config with other boosts.
    expect(await page.getByTestId('compare-config-0').inputValue()).toMatch(/^rev:/);
    await page.getByTestId('compare-jaccard').waitFor();
    expect(Number(await page.getByTestId('compare-rbo').textContent())).toBeLessThanOrEqual(1);
    expect(await page.locator('[data-testid^=rank-]').count()).toBeGreaterThan(0);

    await expect.poll(() => page.getByTestId('compare-set-queryset').inputValue()).not.toBe('');
    await page.getByTestId('compare-set-run').click();
    await page.getByTestId('compare-set-summary').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('compare-set-wins').textContent()).toMatch(/^\d+ \/ \d+ \/ \d+$/);
    // Beside the means: condensed mean, bounds, judged share, and whether the winner is robust.
    expect(await page.getByTestId('compare-set-bounds').first().textContent()).toMatch(
      /^\d\.\d{3} – \d\.\d{3}$/,
    );
    expect(await page.getByTestId('compare-set-coverage').first().textContent()).toMatch(/^\d+%/);
    expect(await page.getByTestId('compare-set-robustness').first().textContent()).toMatch(
      /beats .* on ndcg@10 .*→ (robust|not robust)/,
    );
    await expect
      .poll(() => page.getByTestId('compare-set-rows').getAttribute('data-count'))
      .not.toBe('0');
    await shoot('04-compare');
  });

  it('says why a product is missing, in Search and in Compare', async () => {
    // A judged product of the first query (its 3rd hit under the saved revision), and a product of
    // another query that the first one does not match.
    const { revisions } = await invoke('config.list', {}, ctx);
    const saved = revisions.find((r) => r.note === 'default boosts')!;
    const hits = async (query: string) =>
      (
        await invoke(
          'search.run',
          { tenantId: TENANT, query, size: 10, facets: [], config: { revisionId: saved.id } },
          ctx,
        )
      ).results.map((r) => r.spu_id);
    const [query, other] = [QUERIES[0]!, QUERIES[5]!];
    const queryHits = await hits(query);
    const judged = queryHits[2]!;
    const stranger = (await hits(other)).find((id) => !queryHits.includes(id))!;
    expect(stranger).toBeDefined();

    await open('search');
    await page.getByTestId('query-input').fill(query);
    await page.getByTestId('query-input').press('Enter');
    await page.getByTestId('missing-search').waitFor();
    await expect
      .poll(() => page.getByTestId('missing-search-judged').locator('option').count())
      .toBeGreaterThan(1);
    await page.getByTestId('missing-search-judged').selectOption(judged);
    await expect
      .poll(() => page.getByTestId('missing-search-0-verdict').textContent())
      .toMatch(/^rank \d+/);
    expect(await page.getByTestId('missing-search-spu').inputValue()).toBe(judged);
    expect(await page.getByTestId('missing-search-0-why').locator('li').count()).toBeGreaterThan(0);

    await open('compare');
    await page.getByTestId('compare-query').fill(query);
    await page.getByTestId('compare-run').click();
    await expect.poll(() => page.getByTestId('compare-column').count()).toBe(2);
    await page.getByTestId('missing-compare-spu').fill(judged);
    await page.getByTestId('missing-compare-run').click();
    // One diagnosis per column; under the saved revision it ranks 3rd.
    await expect
      .poll(() => page.getByTestId('missing-compare-0-verdict').textContent())
      .toBe('rank 3 — in the top 10');
    await page.getByTestId('missing-compare-1-verdict').waitFor();
    await page.getByTestId('missing-compare-spu').fill(stranger);
    await page.getByTestId('missing-compare-run').click();
    await expect
      .poll(() => page.getByTestId('missing-compare-0-verdict').textContent())
      .toBe('not matched');
    expect(await page.getByTestId('missing-compare-0-why').textContent()).toContain(
      'lexical not matched',
    );
    await page.getByTestId('missing-compare-0-levers').waitFor();
    await shoot('04b-explain-missing');
  });

  it('moves a slider and the query-set metric and live results repaint', async () => {
    await open('tune');
    await expect.poll(() => page.getByTestId('queryset-select').inputValue()).not.toBe('');
    await page.getByTestId('tune-query').fill('耳机');
    await page.getByTestId('tune-query').press('Enter');
    await page.getByTestId('tune-result').first().waitFor();
    await expect
      .poll(() => page.getByTestId('tune-metric-value').getAttribute('data-value'))
      .toMatch(/^0?\.\d+|^1$/);
    const start = await metricValue();

    // Keyboard, like a user: focus the slider and take it to its minimum.
    const slider = page.locator(
      `[data-testid=slider][data-path="${SENSITIVE_SLIDER}"] [data-testid=slider-input]`,
    );
    await slider.focus();
    await slider.press('Home');
    await expect.poll(metricValue, { timeout: 30_000 }).not.toBe(start);
    await expect
      .poll(async () => Number(await page.getByTestId('tune-chart').getAttribute('data-points')))
      .toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('tune-moved').textContent()).toMatch(/1 setting moved/);
    await shoot('05-tune-slider');
    await page.getByTestId('tune-reset').click();
    await expect.poll(metricValue).toBe(start);
  });

  it('rates a hit with the keyboard', async () => {
    await open('judgments');
    await page.getByTestId('queryset-item').filter({ hasText: QUERY_SET }).click();
    await page.getByTestId('rating-row').first().waitFor();
    const ratedBefore = await page.getByTestId('coverage-rated').textContent();
    const pane = page.getByTestId('rating-pane');
    await pane.focus();
    await page.keyboard.press('j');
    await page.keyboard.press('3');
    const second = page.getByTestId('rating-row').nth(1);
    await expect.poll(() => second.getByTestId('rate-3').getAttribute('aria-checked')).toBe('true');
    // The cursor moved on to the next hit.
    await expect
      .poll(() => page.getByTestId('rating-row').nth(2).getAttribute('class'))
      .toMatch(/cursor/);
    expect(await page.getByTestId('coverage-rated').textContent()).toBe(ratedBefore);
    await page.getByTestId('coverage-unrated').waitFor();
    await shoot('06-judgments');
  });

  it('rates from the "judge what matters" queue with the keyboard', async () => {
    // Still on Judgments, the cursor on the third hit: clear its rating, so the working config's
    // top 10 holds an unjudged product, then find it in the queue and rate it there.
    const pane = page.getByTestId('rating-pane');
    await pane.focus();
    const third = page.getByTestId('rating-row').nth(2);
    const cleared = await third.getAttribute('data-spu-id');
    await page.keyboard.press('x');
    await expect
      .poll(async () => (await third.locator('[aria-checked=true]').count()) === 0)
      .toBe(true);
    await page.getByTestId('judge-queue-load').click();
    await page.getByTestId('judge-queue').waitFor({ timeout: 60_000 });
    const rows = page.getByTestId('judge-queue-row');
    const ids = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-doc-id')));
    const at = ids.indexOf(cleared);
    expect(at).toBeGreaterThanOrEqual(0);
    await page.getByTestId('judge-queue').focus();
    for (let i = 0; i < at; i += 1) await page.keyboard.press('j');
    await page.keyboard.press('2');
    await expect.poll(() => rows.count()).toBe(ids.length - 1);
    // The rating pane shows the rating given from the queue.
    await expect.poll(() => third.getByTestId('rate-2').getAttribute('aria-checked')).toBe('true');
    await shoot('06b-judge-queue');
  });

  it('runs a short auto-tune with a live trial chart and accepts the result', async () => {
    await open('tune');
    await expect.poll(() => page.getByTestId('queryset-select').inputValue()).not.toBe('');
    await page.getByTestId('autotune-trials').fill('6');
    await page.getByTestId('autotune-folds').fill('2');
    await page.getByTestId('autotune-start').click();
    await page.getByTestId('autotune-chart').waitFor({ timeout: 120_000 });
    await page.getByTestId('autotune-result').waitFor({ timeout: 180_000 });
    const accept = page.getByTestId('autotune-accept');
    if (await accept.count()) {
      await accept.click();
      await expect.poll(() => accept.textContent()).toMatch(/Accepted/);
    }
    await shoot('07-tune-autotuner');
  });

  it('exports the bundle with a serve command and re-loads it', async () => {
    await open('export');
    await page.getByTestId('bundle-text').waitFor();
    await page.getByTestId('export-run').click();
    await page.getByTestId('export-done').waitFor();
    expect(await page.getByTestId('export-command').inputValue()).toMatch(
      /^rwb serve --config \S+bundle-\S+\.json --es /,
    );
    const exportedFile = (await page.getByTestId('export-file').textContent())!;
    expect(existsSync(exportedFile)).toBe(true);
    expect(await fs.readFile(exportedFile, 'utf8')).not.toMatch(/password|apiKey/i);
    await shoot('08-export');

    // Change the working config on Tune, then load the exported bundle back: no changes against it.
    await open('tune');
    const slider = page.locator(
      `[data-testid=slider][data-path="${SENSITIVE_SLIDER}"] [data-testid=slider-input]`,
    );
    await slider.focus();
    await slider.press('End');
    await expect
      .poll(() => page.getByTestId('tune-moved').textContent())
      .toMatch(/1 setting moved/);
    await page.getByTestId('tune-apply').click();
    await expect.poll(() => page.getByTestId('tune-moved').textContent()).toMatch(/unsaved/);
    await open('export');
    await page.getByTestId('export-changes').waitFor();
    await page.getByTestId('export-reload').first().click();
    await page.getByTestId('import-done').waitFor();
    await page.getByTestId('export-no-changes').waitFor();
    await shoot('09-export-reloaded');
  });

  it('shows the runs over time and the diff of two revisions', async () => {
    await open('experiments');
    await page.getByTestId('history-chart').waitFor();
    expect(
      Number(await page.getByTestId('history-runs').getAttribute('data-count')),
    ).toBeGreaterThanOrEqual(2);
    await page.getByTestId('diff-config').waitFor();
    await page.getByTestId('history-runs').locator('[role=option]').first().click();
    await page.getByTestId('run-note').fill('e2e: after the slider experiment');
    await page.getByTestId('run-note-add').click();
    await expect
      .poll(() => page.getByTestId('history-runs').textContent())
      .toMatch(/after the slider experiment/);
    await shoot('10-experiments');
  });

  it('labels every control on every screen and raised no page errors', async () => {
    for (const screen of [
      'connections',
      'ingest',
      'search',
      'compare',
      'tune',
      'judgments',
      'experiments',
      'export',
    ]) {
      await open(screen);
      const unlabeled = await page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
        els
          .filter(
            (el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label'),
          )
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      expect(unlabeled, screen).toEqual([]);
    }
    expect(pageErrors).toEqual([]);
  });
});
