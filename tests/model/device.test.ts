import { describe, expect, it } from 'vitest';
import { chooseDevice, trainingDevice } from '../../src/model/device.ts';

const REAL = { found: true, fallback: false };
const SOFTWARE = { found: true, fallback: true };
const NONE = { found: false, fallback: false };

describe('chooseDevice', () => {
  it('uses a real graphics adapter', () => {
    expect(chooseDevice(REAL).device).toBe('webgpu');
  });

  it('treats a software (fallback) adapter as no GPU, and says why', () => {
    const choice = chooseDevice(SOFTWARE);
    expect(choice.device).toBe('wasm');
    expect(choice.reason).toMatch(/software/);
  });

  it('uses WASM without an adapter', () => {
    expect(chooseDevice(NONE)).toEqual({ device: 'wasm', reason: expect.stringMatching(/no WebGPU adapter/) });
  });

  it("follows a person's choice where the browser allows it", () => {
    expect(chooseDevice(REAL, 'wasm').device).toBe('wasm');
    expect(chooseDevice(SOFTWARE, 'webgpu')).toEqual({ device: 'webgpu', reason: expect.stringMatching(/slower than WASM/) });
    expect(chooseDevice(NONE, 'webgpu')).toEqual({ device: 'wasm', reason: expect.stringMatching(/no WebGPU adapter/) });
  });
});

describe('trainingDevice', () => {
  it('trains where the model runs: WebGPU only for a model on WebGPU', () => {
    expect(trainingDevice('webgpu')).toBe('webgpu');
    expect(trainingDevice('wasm')).toBe('wasm');
    expect(trainingDevice('cpu')).toBe('wasm');
    expect(trainingDevice(undefined)).toBe('wasm');
  });
});
