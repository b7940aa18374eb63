/**
 * Where the page downloads models from: the Hugging Face hub, or a mirror with the same URL layout that
 * the student (or a test) sets in the Model step. Kept in localStorage, so a model downloaded from a
 * mirror is found again after a reload.
 */
import { HUB_ENDPOINT } from '../../hub/hub.ts';

const KEY = 'glon.hub';

export function hubAddress(): string {
  return localStorage.getItem(KEY) ?? HUB_ENDPOINT;
}

/** Saves a new address; an empty one (or the default) goes back to the real hub. Throws on a non-http(s) URL. */
export function setHubAddress(address: string): string {
  const trimmed = address.trim().replace(/\/+$/, '');
  if (trimmed === '' || trimmed === HUB_ENDPOINT) {
    localStorage.removeItem(KEY);
    return HUB_ENDPOINT;
  }
  const url = URL.parse(trimmed);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new Error(`"${address}" is not an http(s) address`);
  localStorage.setItem(KEY, trimmed);
  return trimmed;
}
