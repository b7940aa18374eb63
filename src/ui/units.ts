/** Numbers as the page prints them. */

export { formatBytes } from '../util/bytes.ts';

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
