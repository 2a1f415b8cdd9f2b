/**
 * `GET /api/events`: every JobEvent as a server-sent event (`event: job`). A client that connects
 * late reads jobs.get for the state so far; events are not replayed.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api/context.ts';
import type { JobEvent } from '../jobs/job.ts';

export function formatSse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function registerEventStream(app: FastifyInstance, ctx: ApiContext, options: { path: string; heartbeatMs: number }): void {
  const open = new Set<() => void>();
  // preClose, not onClose: the server waits for open connections, and an event stream never ends by itself.
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get(options.path, (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Tell EventSource how soon to reconnect, and flush headers so the client sees "open".
    res.write('retry: 2000\n: connected\n\n');
    const unsubscribe = ctx.jobs.subscribe((event: JobEvent) => {
      res.write(formatSse('job', event));
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);
    heartbeat.unref();
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(end);
      if (!res.writableEnded) res.end();
    };
    open.add(end);
    request.raw.on('close', end);
  });
}
