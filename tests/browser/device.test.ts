/**
 * The device choice over WebGPU through SwiftShader, a software adapter that emulates a GPU on the CPU
 * (isFallbackAdapter): the page treats it as no GPU, uses WASM and says why; a student can still pick
 * WebGPU, and the choice is remembered.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOTS, openLab, type Lab } from './harness.ts';
import { join } from 'node:path';

let lab: Lab;
beforeAll(async () => {
  lab = await openLab({ webgpu: true });
});
afterAll(async () => {
  await lab?.close();
});

it('picks WASM over a software WebGPU adapter and says why; the student can switch to WebGPU, remembered', async () => {
  const { page } = lab;
  const openModel = () => page.getByRole('navigation', { name: 'Lab steps' }).getByRole('button', { name: /Model/ }).click();
  const device = page.getByTestId('device');
  const load = async () => {
    await page.getByRole('button', { name: 'Load stories260K' }).click();
    await page.getByRole('button', { name: 'Load stories260K' }).waitFor({ timeout: 120_000 });
    return page.getByTestId('loaded-device').innerText();
  };
  await openModel();
  await expect.poll(() => device.innerText(), { timeout: 15_000 }).toMatch(/^Runs on WASM\. The only WebGPU adapter here is a software one/);
  expect(await page.locator('input[name=device][value=wasm]').isChecked()).toBe(true);
  await page.locator('input[name=dtype][value=fp32]').check();
  expect(await load()).toBe('WASM (CPU)');
  await page.screenshot({ path: join(SCREENSHOTS, 'model-step-swiftshader.png') });

  await page.locator('input[name=device][value=webgpu]').check();
  expect(await device.innerText()).toMatch(/^Runs on WebGPU\. You chose WebGPU, but its only adapter here is a software one/);
  expect(await page.getByTestId('device-reload').innerText()).toMatch(/load it again to use WebGPU/);
  expect(await load()).toBe('WebGPU');
  expect(await page.getByTestId('device-reload').count()).toBe(0);

  await page.reload();
  await openModel();
  await expect.poll(() => device.innerText(), { timeout: 15_000 }).toMatch(/^Runs on WebGPU/);
  expect(await page.locator('input[name=device][value=webgpu]').isChecked()).toBe(true);
  expect(lab.errors).toEqual([]);
});
