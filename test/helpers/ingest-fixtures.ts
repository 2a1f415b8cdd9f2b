/**
 * Shared set-up for ingest integration tests: a throwaway MariaDB database, a throwaway index name,
 * temp dirs for the vector cache / checkpoints / failure logs, and an ES client.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { Client } from '@elastic/elasticsearch';
import type { MysqlConnection } from '../../engine/config/connections.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { CheckpointStore } from '../../engine/ingest/checkpoint.ts';
import { esUrl, mysqlOptions } from './components.ts';

export interface IngestFixture {
  database: string;
  conn: MysqlConnection;
  index: string;
  es: Client;
  tmp: string;
  cacheDir: string;
  checkpoints: CheckpointStore;
  failuresDir: string;
  sql(statement: string, params?: unknown[]): Promise<unknown>;
  cleanup(): Promise<void>;
}

export async function createIngestFixture(name: string): Promise<IngestFixture> {
  const suffix = Math.random().toString(36).slice(2, 10);
  const database = `rwb_test_${name}_${suffix}`;
  const index = `rwb_test_${name}_${suffix}`;
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `rwb-${name}-`));
  const admin = await mysql.createConnection({ ...mysqlOptions(), timezone: 'Z', multipleStatements: false });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4`);
  await admin.query(`USE \`${database}\``);
  const es = createEsClient({ url: esUrl() });
  return {
    database,
    conn: { ...mysqlOptions(), database },
    index,
    es,
    tmp,
    cacheDir: path.join(tmp, 'vectors'),
    checkpoints: new CheckpointStore(path.join(tmp, 'checkpoints')),
    failuresDir: path.join(tmp, 'failures'),
    sql: async (statement, params) => (await admin.query(statement, params))[0],
    async cleanup() {
      await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
      await es.close();
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
      await admin.end();
      await fs.rm(tmp, { recursive: true, force: true });
    },
  };
}

export function vectorNorm(v: number[]): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}
