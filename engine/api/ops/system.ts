import os from 'node:os';
import { z } from 'zod';
import { redactUrl } from '../../net/redact.ts';
import { paths } from '../../paths.ts';
import { defineOperation, NoInput } from '../operation.ts';

export const systemStatus = defineOperation({
  description: 'The app itself: version, mode (desktop or browser), profile, default index and ES URL.',
  input: NoInput,
  output: z.object({
    appVersion: z.string(),
    mode: z.enum(['electron', 'browser', 'cli', 'test']),
    profile: z.string(),
    rwbHome: z.string(),
    defaultIndex: z.string(),
    esUrl: z.string(),
    runtime: z.object({ node: z.string(), platform: z.string(), arch: z.string(), cpus: z.number() }),
    runningJobs: z.number(),
  }),
  handler: async (_input, ctx) => ({
    appVersion: ctx.appVersion,
    mode: ctx.mode,
    profile: ctx.profile,
    rwbHome: paths.home(),
    defaultIndex: ctx.defaultIndex,
    // Shown in the status bar and returned over HTTP: never with the URL's credentials.
    esUrl: redactUrl(ctx.esConnection().url),
    runtime: { node: process.version, platform: process.platform, arch: process.arch, cpus: os.cpus().length },
    runningJobs: ctx.jobs.list().filter((j) => j.status === 'running' || j.status === 'queued').length,
  }),
});
