import { describe, expect, it } from 'vitest';
import type { OfferedModel } from '../../src/model/model-choice.ts';
import { checkMemory, dtypesThatFit, whatFitsInstead } from '../../src/ui/model/capability.ts';
import { WASM_LIMIT } from '../../src/train/estimate.ts';

const GiB = 2 ** 30;

describe('checkMemory', () => {
  it('refuses on WASM weights that leave no room in its 32-bit memory', () => {
    expect(checkMemory({ bytes: WASM_LIMIT, device: 'wasm' }).level).toBe('refuse');
    expect(checkMemory({ bytes: 0.5 * WASM_LIMIT, device: 'wasm' }).level).toBe('ok');
    expect(checkMemory({ bytes: WASM_LIMIT, device: 'webgpu' }).level).toBe('ok');
  });

  it('warns when loading needs more than half the memory a device reports, never above the reported cap', () => {
    expect(checkMemory({ bytes: 0.6 * GiB, device: 'webgpu', deviceMemory: 2 })).toMatchObject({ level: 'warn', reason: expect.stringMatching(/2 GB/) });
    expect(checkMemory({ bytes: 0.4 * GiB, device: 'webgpu', deviceMemory: 2 }).level).toBe('ok');
    expect(checkMemory({ bytes: 3 * GiB, device: 'webgpu', deviceMemory: 8 }).level).toBe('ok');
  });
});

describe('whatFitsInstead', () => {
  const big: OfferedModel = { id: 'big', dtypes: ['fp32', 'q8'], bytes: { fp32: 4 * GiB, q8: GiB } };
  const huge: OfferedModel = { id: 'huge', dtypes: ['fp32'], bytes: { fp32: 8 * GiB } };
  const small: OfferedModel = { id: 'small', dtypes: ['fp32'], bytes: { fp32: 2e6 } };

  it("names the model's own weights that fit, smallest first", () => {
    expect(dtypesThatFit(big.bytes, 'wasm')).toEqual(['q8']);
    expect(whatFitsInstead(big, [big, small], 'wasm')).toMatch(/^The q8 \(.+\) weights of this model would fit\.$/);
  });

  it('else the other models offered that fit, else nothing', () => {
    expect(whatFitsInstead(huge, [huge, small, big], 'wasm')).toBe('A smaller model would: small, big.');
    expect(whatFitsInstead(huge, [huge], 'wasm')).toBe('');
  });
});
