/** The app under Vite's dev server on a free localhost port, for tests that import the core into a page. */
import { createServer, type ViteDevServer } from 'vite';
import { REPO } from './harness.ts';

export async function startDevServer(): Promise<{ server: ViteDevServer; base: string }> {
  // Bundled up front: discovering the dependency on first import would make Vite reload the page mid-test.
  const server = await createServer({
    root: REPO,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0 },
    optimizeDeps: { include: ['@huggingface/transformers'] },
  });
  await server.listen();
  const address = server.httpServer!.address();
  if (address === null || typeof address === 'string') throw new Error('vite did not listen on a TCP port');
  return { server, base: `http://127.0.0.1:${address.port}/` };
}
