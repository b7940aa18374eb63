/**
 * The backend a person picked in the Model step (WebGPU or WASM), remembered in localStorage so every later
 * load (the Demo's too) uses it; without one, the rule in src/model/device.ts decides.
 */
import { DEVICE_PREFERENCES, type DevicePreference } from '../../model/device.ts';

const KEY = 'glon-device';

export function savedDevicePreference(): DevicePreference | undefined {
  try {
    const saved = localStorage.getItem(KEY);
    return DEVICE_PREFERENCES.find((d) => d === saved);
  } catch {
    return undefined; // storage blocked: the rule still picks
  }
}

export function saveDevicePreference(preference: DevicePreference): void {
  try {
    localStorage.setItem(KEY, preference);
  } catch {
    // Not remembered; the current page still uses it.
  }
}
