/**
 * Dates and numbers that ES would refuse (and answer with a 5xx) are INVALID_INPUT before ES,
 * naming the filter and the value; what ES accepts still builds.
 */
import { describe, expect, it } from 'vitest';
import { isoDateProblem } from '../../engine/search/dates.ts';
import { build, rootBool } from './search-fixtures.ts';

describe('isoDateProblem', () => {
  it.each([
    ['2024-02-30', /February has 29 days in 2024, not 30/],
    ['2023-02-29', /February has 28 days in 2023, not 29/],
    ['2024-04-31', /April has 30 days, not 31/],
    ['2024-13-01', /month 13/],
    ['2024-00-10', /month 00/],
    ['2024-01-00', /January has 31 days, not 00/],
    ['2024-01-01T25:00:00Z', /hour 25/],
    ['2024-01-01T24:00:00Z', /hour 24/],
    ['2024-01-01T08:60', /minute 60/],
    ['2024-01-01T08:00:60Z', /second 60/],
    ['2024-01-01T08:00:00+19:00', /offset/],
    ['2024-01-01T08:00:00.1234567891Z', /ISO date/],
    ['99999-01-01', /ISO date/],
    ['yesterday', /ISO date/],
  ])('%s is refused', (text, reason) => {
    expect(isoDateProblem(text)).toMatch(reason);
  });

  it.each([
    '2024-02-29',
    '2000-02-29',
    '2024-01-31T08:00',
    '2024-01-31T23:59:59.123456789Z',
    '2024-01-31T08:00:00+0800',
    '2024-01-31T08:00:00-18:00',
    '2024-01-31 08:00:00Z',
  ])('%s is accepted', (text) => {
    expect(isoDateProblem(text)).toBeNull();
  });
});

describe('date and number filters', () => {
  it('a range bound that is no calendar date names the filter and the value', async () => {
    await expect(
      build({ tenantId: '1', filters: { create_time: { gte: '2024-02-30' } } }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: /filters\.create_time\.gte "2024-02-30" is not a valid date: February has 29 days/,
    });
  });

  it('a term filter on a date field is checked the same way', async () => {
    await expect(
      build({ tenantId: '1', filters: { update_time: '2023-02-29' } }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message:
        /filters\.update_time: "update_time" is a date field; "2023-02-29" is not a valid date/,
    });
  });

  it('epoch milliseconds beyond what a date can hold are refused', async () => {
    await expect(
      build({ tenantId: '1', filters: { create_time: { gte: 1e300 } } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: /filters\.create_time\.gte/ });
  });

  it('integer range bounds must fit the field type', async () => {
    await expect(
      build({ tenantId: '1', filters: { category_level: { lte: 1e10 } } }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: /filters\.category_level\.lte: .*integer field; 10000000000 is outside its range/,
    });
  });

  it('long bounds name the exact range', async () => {
    await expect(
      build({ tenantId: '1', filters: { total_inventory: { gte: 9.3e18 } } }),
    ).rejects.toThrow(/outside its range \(-9223372036854775808 to 9223372036854775807\)/);
  });

  it('numeric strings ES cannot parse are refused', async () => {
    for (const value of ['0x10', ' 5', 'Infinity', '1_000']) {
      await expect(
        build({ tenantId: '1', filters: { category_level: value } }),
        value,
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
  });

  it('valid dates build; a space before the time becomes T for ES', async () => {
    const body = await build({
      tenantId: '1',
      facets: [],
      filters: {
        create_time: { gte: '2024-02-29 08:00:00Z', lt: 1_700_000_000_000 },
        update_time: ['2024-01-31 10:00', '2024-02-01'],
      },
    });
    expect(rootBool(body).filter).toEqual(
      expect.arrayContaining([
        { range: { create_time: { gte: '2024-02-29T08:00:00Z', lt: 1_700_000_000_000 } } },
        { terms: { update_time: ['2024-01-31T10:00', '2024-02-01'] } },
      ]),
    );
  });
});
