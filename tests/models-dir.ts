/** Where tests find real models: GLON_MODELS_DIR, else ../shared/models beside the repo, else the repo's models/. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const shared = fileURLToPath(new URL('../../shared/models/', import.meta.url));

export const MODELS_DIR: string =
  process.env.GLON_MODELS_DIR ?? (existsSync(`${shared}stories260K`) ? shared : `${repo}models/`);
