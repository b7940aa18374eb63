import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/util/bytes.ts';
import { DATASET_LIMITS } from '../../src/data/format.ts';

describe('formatBytes', () => {
  it('prints sizes in binary units, as a person would write them', () => {
    expect(formatBytes(DATASET_LIMITS.maxBytes)).toBe('64 MiB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(4 * 2 ** 30)).toBe('4 GiB');
    expect(formatBytes(NaN)).toBe('?');
  });
});
