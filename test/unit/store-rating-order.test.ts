/**
 * The Judgments screen sends ratings one after another: a slow first rating is not overtaken by
 * a quick second one (in browser mode they are separate HTTP requests), so the store applies the
 * presses in the order they were made and the last one is the rating kept.
 */
import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../renderer/api/client.ts';
import { createJudgmentsStore } from '../../renderer/state/judgments.ts';
import { ok, scriptedTransport, settle } from './renderer-scripted.ts';

const detail = {
  info: { id: 'qs', name: 'qs', tenant: 't1', file: '', queries: 1, ratings: 0, updatedAt: '' },
  querySet: {
    schemaVersion: 1,
    name: 'qs',
    scale: { min: 0, max: 3 },
    queries: [{ text: 'tv', ratings: [] }],
  },
};

describe('judgments store rating order', () => {
  it('sends a rating only after the previous one was answered, failures included', async () => {
    const events: string[] = [];
    let calls = 0;
    const { transport } = scriptedTransport({
      'judgments.list': () => ok({ sets: [detail.info], problems: [] }),
      'judgments.get': () => ok(detail),
      'tune.preview': () => ok({ mean: 1, perQuery: [] }),
      'search.run': () => ok({ results: [{ spu_id: 'a' }] }),
      'judgments.rate': async (input) => {
        const { rating } = input as { rating: number };
        const n = ++calls;
        events.push(`start ${rating}`);
        // The first answer is the slowest; the second fails.
        await new Promise((resolve) => setTimeout(resolve, n === 1 ? 60 : 5));
        events.push(`end ${rating}`);
        if (n === 2) return { ok: false, error: { code: 'INVALID_INPUT', message: 'no' } };
        return ok({ info: detail.info, query: { text: 'tv', ratings: [{ docId: 'a', rating }] } });
      },
    });
    const store = createJudgmentsStore(createApiClient(transport));
    await store.getState().loadSets();
    await settle();
    const presses = [1, 2, 3].map((rating) => store.getState().rate('a', rating));
    expect(await Promise.all(presses)).toEqual([true, false, true]);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });
});
