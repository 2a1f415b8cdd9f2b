// The engine host's entry file: the engine runs from its TypeScript sources through tsx, so the
// embed worker threads (engine/embed/ts-worker-bootstrap.mjs beside their .ts entries) resolve to
// real files in the desktop app exactly as they do in the CLI and in browser mode. Bundling the
// engine into main broke those worker paths; keeping it out of the bundle fixes that.
import { register } from 'tsx/esm/api';

register();
await import('./engine-host-main.ts');
