/**
 * The Hugging Face hub as glon reaches it, shared by the page's download (hub-download.ts) and
 * `npm run models:fetch`: where a model file lives and what a refusal means. Plain code, without
 * transformers.js, so the page's first bundle may read the default address.
 */

/** The real hub; a mirror with the same URL layout may stand in (HF_ENDPOINT, the page's hub address). */
export const HUB_ENDPOINT = 'https://huggingface.co';

/** A model on a hub: the files of `id` at `revision`. */
export interface HubModel {
  endpoint: string;
  id: string;
  revision: string;
}

/** Files a model may lack without being unusable. */
export const OPTIONAL_FILES: ReadonlySet<string> = new Set(['generation_config.json']);

export class HubError extends Error {
  override name = 'HubError';
}

/** "owner/name", with no path tricks: it becomes a folder name and part of a URL. */
export function checkHubId(id: string): void {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(id) || id.split('/').some((part) => part === '..' || part === '.')) {
    throw new HubError(`"${id}" is not a hub model id (owner/name)`);
  }
}

/** The URL of one file: the key transformers.js also uses in its browser cache (its remoteHost + remotePathTemplate). */
export function hubFileUrl(model: HubModel, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${model.endpoint.replace(/\/+$/, '')}/${model.id}/resolve/${encodeURIComponent(model.revision)}/${path}`;
}

/**
 * The hub answers 401 for a repository that does not exist or may not be read, and 404 for a missing file.
 * `gated` says how this door reaches a gated or private model (a token in the CLI; the CLI from the page).
 */
export function explainRefusal(model: HubModel, file: string, response: Response, gated: string): HubError {
  const code = response.headers.get('x-error-code');
  if (response.status === 401 || response.status === 403 || code === 'RepoNotFound' || code === 'GatedRepo') {
    return new HubError(`model ${model.id} not found on ${model.endpoint}, or it is gated or private (${gated})`);
  }
  if (code === 'RevisionNotFound') return new HubError(`model ${model.id} has no revision "${model.revision}"`);
  if (response.status === 404) return new HubError(`no such file in model ${model.id}: ${file}`);
  return new HubError(`${file}: the server answered HTTP ${response.status} ${response.statusText}`);
}

/** Whether a 404 means an optional file is simply absent (and not the whole repository). */
export function optionalAbsent(file: string, response: Response): boolean {
  return response.status === 404 && OPTIONAL_FILES.has(file) && response.headers.get('x-error-code') !== 'RepoNotFound';
}
