/**
 * The MySQL connection flags shared by `rwb db …` and `rwb ingest`, including the seed's spellings
 * (`--db-host/--db-port/--db-database/--db-username/--db-password`, seed §3.2) as aliases.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addMysqlOptions, mysqlConnectionFromFlags } from '../../engine/cli/commands/db.ts';
import type { MysqlFlags } from '../../engine/cli/commands/db.ts';

function parse(args: string[]): MysqlFlags {
  const cmd = addMysqlOptions(new Command('probe').exitOverride());
  cmd.parse(args, { from: 'user' });
  return cmd.opts<MysqlFlags>();
}

const NO_ENV = {};

describe('MySQL connection flags', () => {
  it("accept the seed's --db-* flags as aliases", () => {
    const flags = parse([
      '--db-host',
      'db.example',
      '--db-port',
      '3307',
      '--db-database',
      'saas',
      '--db-username',
      'reader',
      '--db-password',
      'pw',
    ]);
    expect(mysqlConnectionFromFlags(flags, NO_ENV)).toEqual({
      host: 'db.example',
      port: 3307,
      user: 'reader',
      password: 'pw',
      database: 'saas',
    });
  });

  it('give the same connection for the seed spelling and the rwb spelling', () => {
    const rwb = parse(['--mysql-host', 'h', '--mysql-port', '3310', '--database', 'd']);
    const seed = parse(['--db-host', 'h', '--db-port', '3310', '--db-database', 'd']);
    expect(mysqlConnectionFromFlags(seed, NO_ENV)).toEqual(mysqlConnectionFromFlags(rwb, NO_ENV));
    expect(mysqlConnectionFromFlags(seed, NO_ENV)).toMatchObject({ user: 'root', password: '' });
  });

  it('refuse a flag and its alias with different values, and name the alias in errors', () => {
    const both = parse(['--mysql-host', 'a', '--db-host', 'b']);
    expect(() => mysqlConnectionFromFlags(both, NO_ENV)).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('--mysql-host and --db-host'),
      }),
    );
    const same = parse(['--mysql-host', 'a', '--db-host', 'a']);
    expect(mysqlConnectionFromFlags(same, NO_ENV).host).toBe('a');
    expect(() => mysqlConnectionFromFlags(parse(['--db-port', 'x']), NO_ENV)).toThrow(
      '--db-port must be a whole number from 1 to 65535, got "x"',
    );
  });

  it('name the aliases in the help of the flags they stand for, not as extra options', () => {
    const help = addMysqlOptions(new Command('probe')).helpInformation();
    for (const alias of [
      '--db-host',
      '--db-port',
      '--db-username',
      '--db-password',
      '--db-database',
    ])
      expect(help.match(new RegExp(`${alias}\\b`, 'g'))).toHaveLength(1);
    expect(help).toMatch(/--mysql-host <host>\s+MySQL\/MariaDB host \(alias --db-host;/);
  });
});
