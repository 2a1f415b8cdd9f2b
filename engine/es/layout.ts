/**
 * Where the embedded node's files live. Normally: the runtime under paths.runtimes() and the node's
 * config/data/logs under paths.profile(profile)/es.
 *
 * As root the node runs as an unprivileged user, which must be able to reach those directories.
 * When RWB_HOME sits below a directory others cannot enter (the usual case: /root is 0700), the
 * runtime and node directories move to RWB_ES_SHARED_DIR (default /var/lib/rwb-es), one
 * sub-directory per RWB_HOME, and paths.profile(profile)/es becomes a symlink to the moved
 * directory. Nothing above RWB_HOME ever has its permissions changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RwbError } from '../errors.ts';
import { paths } from '../paths.ts';
import { isRoot } from './es-user.ts';

export interface EsNodeLayout {
  profile: string;
  runtimesDir: string;
  /** The node's own directory (holds config/, data/, logs/, the pid and state files). */
  esDir: string;
  configDir: string;
  dataDir: string;
  logsDir: string;
  pidFile: string;
  stateFile: string;
  /** stdout/stderr of the ES launcher (startup errors land here). */
  launchLog: string;
  /** True when moved out of RWB_HOME because the node's user could not reach it (see above). */
  relocated: boolean;
  /** paths.profile(profile)/es: the directory itself, or a symlink to it when relocated. */
  profileLink: string;
}

export function validateProfileName(profile: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(profile)) {
    throw new RwbError(
      'INVALID_INPUT',
      `Profile name "${profile}" is not valid: use letters, digits, ".", "_" or "-" (at most 64 characters).`,
    );
  }
  return profile;
}

export function esClusterName(profile: string): string {
  return `rwb-${profile}`;
}

/** True when every existing directory strictly above `dir` lets other users pass through (o+x). */
export function reachableByOthers(dir: string): boolean {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

export function sharedEsDir(): string {
  return path.resolve(process.env.RWB_ES_SHARED_DIR ?? '/var/lib/rwb-es');
}

function homeKey(): string {
  return createHash('sha256').update(paths.home()).digest('hex').slice(0, 12);
}

function layoutUnder(
  profile: string,
  runtimesDir: string,
  esDir: string,
  relocated: boolean,
): EsNodeLayout {
  const logsDir = path.join(esDir, 'logs');
  return {
    profile,
    runtimesDir,
    esDir,
    configDir: path.join(esDir, 'config'),
    dataDir: path.join(esDir, 'data'),
    logsDir,
    pidFile: path.join(esDir, 'es.pid'),
    stateFile: path.join(esDir, 'node.json'),
    launchLog: path.join(logsDir, 'launch.log'),
    relocated,
    profileLink: path.join(paths.profile(profile), 'es'),
  };
}

/** Computes the layout without touching the disk. */
export function resolveEsLayout(profile: string): EsNodeLayout {
  validateProfileName(profile);
  if (isRoot() && !reachableByOthers(paths.home())) {
    const base = path.join(sharedEsDir(), homeKey());
    return layoutUnder(
      profile,
      path.join(sharedEsDir(), 'runtimes'),
      path.join(base, 'profiles', profile, 'es'),
      true,
    );
  }
  return layoutUnder(profile, paths.runtimes(), path.join(paths.profile(profile), 'es'), false);
}

/** Only the runtime directory (for `rwb es fetch`, which has no profile). */
export function esRuntimesDir(): string {
  return resolveEsLayout('default').runtimesDir;
}

/**
 * Creates the node's directories. For a switched (root → unprivileged) node it also opens the
 * directories rwb owns inside RWB_HOME for traversal (o+x) and links a relocated node directory
 * back into the profile.
 */
export async function prepareEsDirs(layout: EsNodeLayout, switchedUser: boolean): Promise<void> {
  for (const dir of [layout.configDir, layout.dataDir, layout.logsDir])
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  if (!switchedUser) return;
  if (layout.relocated) {
    const base = path.dirname(path.dirname(path.dirname(layout.esDir)));
    await fs.writeFile(path.join(base, 'rwb-home.txt'), `${paths.home()}\n`);
    await fs.mkdir(path.dirname(layout.profileLink), { recursive: true });
    const current = await fs.lstat(layout.profileLink).catch(() => null);
    if (current === null) await fs.symlink(layout.esDir, layout.profileLink);
    for (let dir = layout.esDir; dir !== path.dirname(sharedEsDir()); dir = path.dirname(dir))
      await addTraverse(dir);
    return;
  }
  // Inside RWB_HOME every directory on the way is ours: let the node's user pass through.
  for (const dir of [layout.esDir, layout.runtimesDir]) {
    for (
      let d = dir;
      d.startsWith(paths.home()) && d !== path.dirname(paths.home());
      d = path.dirname(d)
    ) {
      await addTraverse(d);
    }
  }
}

async function addTraverse(dir: string): Promise<void> {
  const st = await fs.stat(dir).catch(() => null);
  if (st && (st.mode & 0o011) !== 0o011) await fs.chmod(dir, (st.mode & 0o7777) | 0o011);
}
