/**
 * Issue 17 item 2 in the workbench: "Drop the whole index first" (`recreateIndex`) on an index
 * shared by three tenants. Before anything is deleted the Ingest screen names every tenant with
 * its exact document count (checked against a `_count` per tenant from ES); "Keep it" starts no
 * job and leaves the index as it was; confirming drops the index, ingests the file, and the
 * other tenants' documents are gone. Browser mode in Debian's Chromium, real engine, real ES.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { invoke } from '../../engine/api/invoke.ts';
import { writeDemoFile } from '../../engine/catalog/demo-catalog.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import {
  chromiumAvailable,
  countDocs,
  deleteFixtureIndex,
  E2E_INDEX,
  openBrowserWorkbench,
  type BrowserWorkbench,
} from './fixtures.ts';
import { ingestDemoCatalog } from './workbench-setup.ts';

const INDEX = `${E2E_INDEX}_recreate_${randomUUID().slice(0, 8)}`;
/** Uneven on purpose, so a count shown against the wrong tenant cannot pass. */
const TENANT_SPUS: Array<[string, number]> = [
  ['1', 20],
  ['2', 13],
  ['3', 7],
];
/** What the confirmed ingest brings: tenant 1 only, fewer SPUs than it had. */
const REINGEST_SPUS = 9;

const missing = [
  await requireComponent('Elasticsearch', () => esAvailable()),
  await requireComponent('Chromium', chromiumAvailable),
];

describeWith(missing, 'Ingest: dropping the shared index asks first (browser mode)', () => {
  let tmp: string;
  let ctx: ApiContext;
  let wb: BrowserWorkbench;
  let reingestFile: string;

  /** `_count` of every tenant of TENANT_SPUS, and of the whole index. */
  async function esCounts(): Promise<{ tenants: Map<string, number>; total: number }> {
    const tenants = new Map<string, number>();
    for (const [tenant] of TENANT_SPUS)
      tenants.set(tenant, await countDocs(esUrl(), INDEX, tenant));
    return { tenants, total: await countDocs(esUrl(), INDEX) };
  }

  /** The tenants and counts the confirmation lists, as the user reads them. */
  async function listedTenants(): Promise<Map<string, number>> {
    const lines = await wb.page.getByTestId('ingest-drop-tenants').locator('li').allTextContents();
    const listed = new Map<string, number>();
    for (const line of lines) {
      const match = /^tenant (\S+): ([\d,]+) documents$/.exec(line.trim());
      expect(match, `confirmation line "${line}"`).not.toBeNull();
      listed.set(match![1]!, Number(match![2]!.replace(/,/g, '')));
    }
    return listed;
  }

  async function ingestJobs(): Promise<number> {
    const { jobs } = await invoke('jobs.list', undefined, ctx);
    return jobs.filter((j) => j.kind === 'ingest').length;
  }

  /** Fills the form for a file ingest into INDEX with "drop the whole index" ticked, and submits. */
  async function submitRecreateIndex(): Promise<void> {
    const { page } = wb;
    await page.getByTestId('source-file').check();
    await page.getByTestId('file-path').fill(reingestFile);
    await page.getByTestId('ingest-index').fill(INDEX);
    await page.getByTestId('ingest-model').selectOption('');
    await page.getByTestId('ingest-recreate-index').check();
    await page.getByTestId('ingest-start').click();
    await page.getByTestId('ingest-drop-confirm').waitFor();
  }

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-e2e-recreate-'));
    process.env.RWB_HOME = path.join(tmp, 'home');
    await deleteFixtureIndex(esUrl(), INDEX);
    // One ingest per tenant: each removes only its own tenant's documents, so all three stay.
    for (const [tenant, spus] of TENANT_SPUS) {
      const indexed = await ingestDemoCatalog(esUrl(), tmp, {
        index: INDEX,
        tenants: [tenant],
        spusPerTenant: spus,
      });
      expect(indexed, `tenant ${tenant}`).toBe(spus);
    }
    reingestFile = path.join(tmp, 'reingest-tenant-1.ndjson');
    await writeDemoFile(reingestFile, { tenants: ['1'], spusPerTenant: REINGEST_SPUS, seed: 5 });
    ctx = createApiContext({
      mode: 'browser',
      es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 },
      defaultIndex: INDEX,
    });
    wb = await openBrowserWorkbench(ctx, tmp);
  });

  afterAll(async () => {
    await wb?.close();
    await ctx?.close();
    await deleteFixtureIndex(esUrl(), INDEX);
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('names every tenant and its exact document count before deleting anything', async () => {
    const before = await esCounts();
    expect([...before.tenants]).toEqual(TENANT_SPUS);
    // No tenant besides the three: the per-tenant counts add up to the index's.
    expect(before.total).toBe(20 + 13 + 7);

    await wb.open('ingest');
    await submitRecreateIndex();
    const dialog = wb.page.getByTestId('ingest-drop-confirm');
    expect(await dialog.getAttribute('role')).toBe('alertdialog');
    expect((await dialog.locator('p').first().textContent())?.replace(/\s+/g, ' ')).toBe(
      `Dropping index ${INDEX} deletes ${before.total} documents of 3 tenants:`,
    );
    expect(await listedTenants()).toEqual(before.tenants);
    // Asking started nothing.
    expect(await ingestJobs()).toBe(0);
    await wb.page.getByTestId('ingest-no-job').waitFor();
  });

  it('"Keep it" starts no ingest and leaves the index untouched', async () => {
    const before = await esCounts();
    await wb.page.getByTestId('ingest-drop-confirm-no').click();
    await expect.poll(() => wb.page.getByTestId('ingest-drop-confirm').count()).toBe(0);
    expect(await ingestJobs()).toBe(0);
    await wb.page.getByTestId('ingest-no-job').waitFor();
    expect(await esCounts()).toEqual(before);
    expect([...before.tenants]).toEqual(TENANT_SPUS);
  });

  it('confirming drops the index and ingests: the other tenants are gone', async () => {
    const before = await esCounts();
    const { page } = wb;
    // The form keeps its values: submitting again asks again, with the same list.
    await page.getByTestId('ingest-start').click();
    await page.getByTestId('ingest-drop-confirm').waitFor();
    expect(await listedTenants()).toEqual(before.tenants);
    await page.getByTestId('ingest-drop-confirm-yes').click();
    await expect.poll(() => page.getByTestId('ingest-drop-confirm').count()).toBe(0);
    await page.getByTestId('ingest-job').waitFor();
    await page
      .locator('[data-testid=job-status][data-status=succeeded]')
      .waitFor({ timeout: 120_000 });
    expect(await ingestJobs()).toBe(1);

    const after = await esCounts();
    expect([...after.tenants]).toEqual([
      ['1', REINGEST_SPUS],
      ['2', 0],
      ['3', 0],
    ]);
    expect(after.total).toBe(REINGEST_SPUS);
    // The job log names what went, with the counts the dialog showed.
    const listed = [...before.tenants].map(([t, n]) => `${t} (${n} docs)`).join(', ');
    expect(await page.getByTestId('ingest-log').textContent()).toContain(
      `Index ${INDEX} dropped and re-created; it held ${listed}`,
    );
    expect(wb.pageErrors).toEqual([]);
  });
});
