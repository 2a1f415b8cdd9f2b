/**
 * Which OS user runs the embedded node. Elasticsearch refuses to run as root, so when rwb itself
 * runs as root (containers, CI) the node runs as a system user `rwb-es` (created on first use),
 * or `nobody` when no user can be created. Otherwise it runs as the current user.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { RwbError } from '../errors.ts';

export const DEFAULT_ES_SYSTEM_USER = 'rwb-es';

export interface EsUser {
  name: string;
  uid: number;
  gid: number;
  /** True when the node runs as another user than this process (we are root). */
  switched: boolean;
  /** True when this call created the system user. */
  created: boolean;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

function parsePasswdLine(line: string): PasswdEntry | null {
  const f = line.split(':');
  if (f.length < 4) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  return Number.isInteger(uid) && Number.isInteger(gid) ? { name: f[0]!, uid, gid } : null;
}

/** Looks a user up through NSS (getent), falling back to /etc/passwd. */
export function lookupUser(name: string): PasswdEntry | null {
  try {
    const out = execFileSync('getent', ['passwd', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return parsePasswdLine(out.trim());
  } catch {
    if (!existsSync('/etc/passwd')) return null;
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const entry = parsePasswdLine(line);
      if (entry?.name === name) return entry;
    }
    return null;
  }
}

function createSystemUser(name: string): string | null {
  const attempts: Array<[string, string[]]> = [
    // Debian/Ubuntu/Fedora shadow-utils.
    [
      'useradd',
      [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        name,
      ],
    ],
    // Alpine/BusyBox.
    ['adduser', ['-S', '-D', '-H', '-s', '/sbin/nologin', name]],
  ];
  const failures: string[] = [];
  for (const [cmd, args] of attempts) {
    try {
      execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      return null;
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer | string }).stderr ?? '').trim();
      failures.push(`${cmd}: ${stderr || (err as Error).message}`);
    }
  }
  return failures.join('; ');
}

/**
 * Decides (and when needed creates) the user the node runs as. As root: RWB_ES_USER if set (must
 * exist), else `rwb-es` (created with useradd when missing), else `nobody`. `notes` receives a
 * sentence for each decision worth telling the user.
 */
export function resolveEsUser(notes: string[] = []): EsUser {
  if (!isRoot()) {
    const info = os.userInfo();
    return { name: info.username, uid: info.uid, gid: info.gid, switched: false, created: false };
  }
  const requested = process.env.RWB_ES_USER?.trim();
  if (requested) {
    const entry = lookupUser(requested);
    if (!entry)
      throw new RwbError('ES_RUNTIME', `RWB_ES_USER=${requested}: no such user on this machine.`);
    if (entry.uid === 0)
      throw new RwbError(
        'ES_RUNTIME',
        `RWB_ES_USER=${requested} is root; Elasticsearch refuses to run as root.`,
      );
    return { ...entry, switched: true, created: false };
  }
  const existing = lookupUser(DEFAULT_ES_SYSTEM_USER);
  if (existing) return { ...existing, switched: true, created: false };

  const failure = createSystemUser(DEFAULT_ES_SYSTEM_USER);
  const created = failure === null ? lookupUser(DEFAULT_ES_SYSTEM_USER) : null;
  if (created) {
    notes.push(
      `created system user ${DEFAULT_ES_SYSTEM_USER} (uid ${created.uid}) to run Elasticsearch, which refuses to run as root`,
    );
    return { ...created, switched: true, created: true };
  }
  const nobody = lookupUser('nobody');
  if (!nobody) {
    throw new RwbError(
      'ES_RUNTIME',
      `Elasticsearch refuses to run as root, and neither user ${DEFAULT_ES_SYSTEM_USER} could be created (${failure}) nor user nobody found. ` +
        'Run rwb as a normal user, or set RWB_ES_USER to an existing unprivileged user.',
    );
  }
  notes.push(
    `could not create user ${DEFAULT_ES_SYSTEM_USER} (${failure}); running Elasticsearch as nobody`,
  );
  return { ...nobody, switched: true, created: false };
}
