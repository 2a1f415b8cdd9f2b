/** Collecting row problems of one SPU, with `where` strings that name table, row id and column. */
import type { RowError } from '../../catalog/types.ts';
import { OPTION_TABLE, SKU_TABLE, SPU_TABLE } from '../../catalog/schema.ts';

export class RowReporter {
  readonly problems: RowError[] = [];

  constructor(
    readonly tenantId: string | null,
    readonly spuId: string | null,
  ) {}

  add(where: string, reason: string): void {
    this.problems.push({ tenant_id: this.tenantId, spu_id: this.spuId, where, reason });
  }
}

/** `where` locators: "shoplazza_product_sku[id=9].price". */
export const at = {
  spu: (id: string | null, column: string) => `${SPU_TABLE}[id=${id ?? ''}].${column}`,
  sku: (id: string | null, column: string) => `${SKU_TABLE}[id=${id ?? ''}].${column}`,
  option: (id: string | null, column: string) => `${OPTION_TABLE}[id=${id ?? ''}].${column}`,
};
