/** Every file under a store folder with its size: what a failed write must leave exactly as it was. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function snapshot(dir: string): Record<string, number> {
  const files: Record<string, number> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stat = statSync(join(dir, name));
    if (stat.isFile()) files[name] = stat.size;
  }
  return files;
}
