// Records every module a k4sync process loads, for test/e2e/startup.test.ts: run node with
// `--import <this file>` and K4SYNC_MODULE_LOG=<file>. ES modules are seen by a resolve hook (which runs on the
// loader's own thread, hence the file rather than a message); CommonJS modules required by other CommonJS modules
// bypass that hook, so require.cache is added when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const log = process.env.K4SYNC_MODULE_LOG;

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}

// Imported by --import on the main thread: install this file as the hooks; loaded again as the hooks, do nothing.
if (isMainThread && log) {
  register(import.meta.url);
  process.on('exit', () => {
    const required = Object.keys(createRequire(import.meta.url).cache).map((path) => pathToFileURL(path).href);
    appendFileSync(log, required.map((url) => `${url}\n`).join(''));
  });
}
