/**
 * Browser mode end to end: the built renderer in Debian's Chromium, served by the real engine
 * against the real Elasticsearch. Load → status green → search returns cards → an ingest runs with
 * progress and a failed row → every screen renders. Screenshots go to test-results/e2e/.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { startHttpServer, type RunningHttpServer } from '../../engine/http/server.ts';
import { buildRenderer } from '../../engine/cli/commands/app.ts';
import { writeDemoFile } from '../../engine/catalog/demo-catalog.ts';
import { repoRoot } from '../../engine/paths.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { createFixtureIndex, deleteFixtureIndex, E2E_INDEX } from './fixtures.ts';

const CHROMIUM = process.env.RWB_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(repoRoot(), 'test-results', 'e2e');
const INGEST_INDEX = `${E2E_INDEX}_ingest`;

const missing = [
  await requireComponent('Elasticsearch', () => esAvailable()),
  await requireComponent('Chromium', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} not found (apt-get install -y chromium)`);
  }),
];

describeWith(missing, 'browser mode in Chromium', () => {
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

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-e2e-'));
    // The workbench keeps its working config and stores under RWB_HOME: a fresh one per run.
    process.env.RWB_HOME = path.join(tmp, 'home');
    await fs.mkdir(SHOTS, { recursive: true });
    const rendererDir = path.join(tmp, 'renderer');
    await buildRenderer(() => undefined, rendererDir);
    await createFixtureIndex(esUrl(), E2E_INDEX);
    ctx = createApiContext({
      mode: 'browser',
      es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 },
      defaultIndex: E2E_INDEX,
    });
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
    await deleteFixtureIndex(esUrl(), E2E_INDEX);
    await deleteFixtureIndex(esUrl(), INGEST_INDEX);
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('loads and shows Elasticsearch green, the index and its tenants', async () => {
    await open('connections');
    await expect
      .poll(() => page.getByTestId('es-health').getAttribute('data-health'))
      .toMatch(/green|yellow/);
    await expect
      .poll(() => page.getByTestId('sidebar-es-health').getAttribute('data-health'))
      .toMatch(/green|yellow/);
    expect(await page.getByTestId('es-version').textContent()).toMatch(/^8\./);
    await page.getByTestId('tenant-table').waitFor();
    expect(await page.getByTestId('tenant-row-1').textContent()).toContain('6');
    expect(await page.getByTestId('index-analysis-zh').textContent()).toBe('standard');
    expect(await page.getByTestId('browser-mode-note').isVisible()).toBe(true);
    await shoot('connections');
  });

  it('shows an unreachable cluster as such, and reconnects', async () => {
    await open('connections');
    await page.getByTestId('es-change').click();
    await page.getByTestId('es-url-input').fill('http://127.0.0.1:1');
    await page.getByTestId('es-connect-form').getByRole('button', { name: 'Connect' }).click();
    await expect
      .poll(() => page.getByTestId('es-health').getAttribute('data-health'))
      .toBe('unreachable');
    await page
      .locator('[data-testid=error-banner][data-error-code=ES_UNREACHABLE]')
      .first()
      .waitFor();
    await expect
      .poll(() => page.getByTestId('sidebar-es-health').getAttribute('data-health'))
      .toBe('unreachable');
    await shoot('connections-unreachable');
    await page.getByTestId('es-url-input').fill(esUrl());
    await page.getByTestId('es-connect-form').getByRole('button', { name: 'Connect' }).click();
    await expect
      .poll(() => page.getByTestId('es-health').getAttribute('data-health'))
      .toMatch(/green|yellow/);
    await page.getByTestId('tenant-table').waitFor();
  });

  it('searches one tenant and shows result cards with titles, vendor and price', async () => {
    await open('search');
    await page.getByTestId('search-results').waitFor();
    expect(await page.getByTestId('tenant-select').inputValue()).toBe('1');
    await page.getByTestId('query-input').fill('headphones');
    await page.getByTestId('search-submit').click();
    await expect.poll(() => page.getByTestId('search-total').textContent()).toBe('2');
    const first = page.getByTestId('result-card').first();
    expect(await first.getByTestId('result-title-zh').textContent()).toMatch(/耳机/);
    expect(await first.getByTestId('result-title-en').textContent()).toMatch(
      /Headphones|Earphones/,
    );
    expect(await first.getByTestId('result-vendor').textContent()).toContain('SoundSea');
    expect(await first.getByTestId('result-price').textContent()).toMatch(/\d+\.\d\d/);
    await page.getByTestId('query-input').fill('耳机');
    await page.getByTestId('search-submit').click();
    await expect
      .poll(() =>
        page.getByTestId('result-card').first().getByTestId('result-title-zh').textContent(),
      )
      .toMatch(/耳机/);
    await shoot('search');
    await page.getByTestId('tenant-select').selectOption('2');
    await page.getByTestId('query-input').fill('no-such-product-anywhere');
    await page.getByTestId('search-submit').click();
    await page.getByTestId('search-empty').waitFor();
    await shoot('search-empty');
  });

  it('runs an ingest from a file with progress, a failed row and a finished status', async () => {
    const file = path.join(tmp, 'catalog.ndjson');
    await writeDemoFile(file, { tenants: ['e2e'], spusPerTenant: 60, seed: 7 });
    // Two bad records: one the transformer rejects (no title in any language: a failed row), one
    // that is not JSON (reported in the log).
    const firstLine = JSON.parse((await fs.readFile(file, 'utf8')).split('\n')[0]!) as {
      spu: Record<string, unknown>;
    };
    const titleless = {
      ...firstLine,
      spu: { ...firstLine.spu, id: 'e2e-bad-1', title: null, title_en: null },
    };
    await fs.appendFile(file, `${JSON.stringify(titleless)}\n{"spu": "this line is not JSON"\n`);
    await open('ingest');
    await page.getByTestId('source-file').check();
    await page.getByTestId('file-path').fill(file);
    await page.getByTestId('ingest-index').fill(INGEST_INDEX);
    await page.getByTestId('ingest-model').selectOption('');
    await page.getByTestId('ingest-recreate').check();
    await page.getByTestId('ingest-start').click();
    await page.getByTestId('ingest-job').waitFor();
    await page
      .locator('[data-testid=job-status][data-status=succeeded]')
      .waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('job-done').textContent()).toMatch(/^\d+ \/ \d+ \(100%\)$/);
    expect(await page.getByTestId('job-failed').textContent()).toBe('1');
    expect(await page.getByTestId('failed-rows').textContent()).toMatch(
      /e2e-bad-1.*no usable title/,
    );
    expect(await page.getByTestId('ingest-log').textContent()).toMatch(
      /catalog\.ndjson:62: invalid JSON/,
    );
    await shoot('ingest');
  });

  it('renders every screen (none is a coming-soon placeholder any more)', async () => {
    for (const screen of ['compare', 'tune', 'judgments', 'experiments', 'export']) {
      await open(screen);
      expect(await page.getByTestId(`screen-${screen}-coming-soon`).count()).toBe(0);
      await page.getByTestId(`${screen}-screen`).waitFor();
    }
  });

  it('labels every form control and raised no page errors', async () => {
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
          .map((el) => el.outerHTML),
      );
      expect(unlabeled, screen).toEqual([]);
    }
    expect(pageErrors).toEqual([]);
  });
});
