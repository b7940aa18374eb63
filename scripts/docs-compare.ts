/**
 * docs/compare.png, the README's picture of the Compare step: the Demo as shipped, run on the built app in
 * chromium as the browser tests serve it (WASM, 1280x720).  npx tsx scripts/docs-compare.ts
 */
import { join } from 'node:path';
import { REPO, openLab, runDemo } from '../tests/browser/harness.ts';

const lab = await openLab();
try {
  const seconds = await runDemo(lab.page, 1_800_000);
  await lab.page.screenshot({ path: join(REPO, 'docs/compare.png') });
  console.log(`docs/compare.png: the Demo took ${seconds.toFixed(0)} s${lab.errors.length ? `; page errors: ${lab.errors.join(' | ')}` : ''}`);
} finally {
  await lab.close();
}
