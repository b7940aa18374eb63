/**
 * The model an experiment needs, loaded in the worker when another one (or none) is: the Demo and a
 * resumed run start from any state of the Model step.
 */
import type { ExperimentSpec } from '../../experiment/spec.ts';
import type { LoadedModel } from '../../worker/protocol.ts';
import type { LabWorker } from '../worker-client.ts';
import { savedDevicePreference } from '../model/device-preference.ts';
import { hubAddress } from '../model/hub-address.ts';

export async function modelFor(
  lab: LabWorker,
  current: LoadedModel | undefined,
  spec: Pick<ExperimentSpec, 'model'>,
  onProgress?: (fraction: number) => void,
): Promise<LoadedModel> {
  if (current && current.id === spec.model.id && current.dtype === spec.model.dtype) return current;
  // An experiment never downloads: its model is in the app's models/ folder or was downloaded into this browser.
  return lab.load(
    { id: spec.model.id, dtype: spec.model.dtype, allowRemote: false, hub: hubAddress(), preference: savedDevicePreference() },
    { onProgress: ({ loaded, total }) => onProgress?.(total ? loaded / total : 0) },
  );
}
