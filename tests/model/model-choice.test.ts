import { describe, expect, it } from 'vitest';
import {
  AUTOLOAD_BYTES,
  DEFAULT_MODEL_ID,
  EMBEDDED_MODEL_ID,
  HUB_CHOICE,
  choiceOnNetwork,
  dtypeFor,
  firstChoice,
  linkedModel,
  recommendedChoice,
  type OfferedModel,
} from '../../src/model/model-choice.ts';
import { RECOMMENDED } from '../../src/hub/recommended.ts';

const stories: OfferedModel = { id: EMBEDDED_MODEL_ID, dtypes: ['fp32', 'q8'], bytes: { fp32: 1.2e6, q8: 0.5e6 } };
const smol: OfferedModel = { id: DEFAULT_MODEL_ID, dtypes: ['fp32', 'q8', 'q4'], bytes: { fp32: 540e6, q8: 138e6, q4: 100e6 } };
const other: OfferedModel = { id: 'my-model', dtypes: ['fp16'], bytes: { fp16: 2e6 } };
const fitsAll = () => true;

describe('firstChoice', () => {
  it('selects the default when served here, else the embedded model, else any, else the hub', () => {
    expect(firstChoice([stories, smol])).toBe(DEFAULT_MODEL_ID);
    expect(firstChoice([other, stories])).toBe(EMBEDDED_MODEL_ID);
    expect(firstChoice([other])).toBe('my-model');
    expect(firstChoice([])).toBe(HUB_CHOICE);
  });

  it('defaults to a model the Model step recommends for download', () => {
    expect(RECOMMENDED.map((m) => m.id)).toContain(DEFAULT_MODEL_ID);
  });
});

describe('dtypeFor', () => {
  it('keeps the dtype when the new model has it, else takes the first of q8, q4, fp16, fp32 it has', () => {
    expect(dtypeFor(['fp32', 'q4'], 'fp32')).toBe('fp32');
    expect(dtypeFor(['fp32', 'fp16', 'q4'], 'q8')).toBe('q4');
    expect(dtypeFor(['fp32', 'fp16'], 'q8')).toBe('fp16');
    expect(dtypeFor(['fp32'], 'q4')).toBe('fp32');
  });
});

describe('linkedModel', () => {
  it("loads a small served model at once, in the link's dtype", () => {
    expect(linkedModel(stories, 'fp32', 'q8', fitsAll)).toEqual({ dtype: 'fp32', swapped: false, bytes: 1.2e6, autoload: true });
  });

  it('stands in another dtype when the model lacks the one linked, and says so', () => {
    expect(linkedModel(stories, 'q4', 'fp16', fitsAll)).toEqual({ dtype: 'q8', swapped: true, bytes: 0.5e6, autoload: true });
  });

  it('waits for a press when the weights are large or would not fit this device', () => {
    expect(linkedModel(smol, 'q8', 'q8', fitsAll)).toMatchObject({ dtype: 'q8', autoload: false });
    expect(smol.bytes.q8!).toBeGreaterThan(AUTOLOAD_BYTES);
    expect(linkedModel(stories, 'fp32', 'q8', () => false)).toMatchObject({ autoload: false });
  });

  it('never loads weights of unknown size on its own', () => {
    expect(linkedModel({ id: 'x', dtypes: ['q8'], bytes: {} }, 'q8', 'q8', fitsAll)).toEqual({ dtype: 'q8', swapped: false, bytes: Infinity, autoload: false });
  });
});

describe('choiceOnNetwork', () => {
  const base = { choice: EMBEDDED_MODEL_ID, hubId: DEFAULT_MODEL_ID, defaultIsLocal: false, linkedHub: false };

  it('allowing the network brings the default from the hub in place of the embedded stand-in', () => {
    expect(choiceOnNetwork(true, base)).toBe(HUB_CHOICE);
  });

  it('leaves a choice the student made: another model, another hub id, or the default served here', () => {
    expect(choiceOnNetwork(true, { ...base, choice: 'my-model' })).toBe('my-model');
    expect(choiceOnNetwork(true, { ...base, hubId: 'someone/else' })).toBe(EMBEDDED_MODEL_ID);
    expect(choiceOnNetwork(true, { ...base, choice: DEFAULT_MODEL_ID, defaultIsLocal: true })).toBe(DEFAULT_MODEL_ID);
  });

  it("selects the hub when a link named a hub model, whatever was selected", () => {
    expect(choiceOnNetwork(true, { ...base, choice: 'my-model', hubId: 'someone/else', linkedHub: true })).toBe(HUB_CHOICE);
  });

  it('refusing the network leaves the hub for the default when served here, else the embedded model', () => {
    expect(choiceOnNetwork(false, { ...base, choice: HUB_CHOICE })).toBe(EMBEDDED_MODEL_ID);
    expect(choiceOnNetwork(false, { ...base, choice: HUB_CHOICE, defaultIsLocal: true })).toBe(DEFAULT_MODEL_ID);
    expect(choiceOnNetwork(false, base)).toBe(EMBEDDED_MODEL_ID);
  });
});

describe('recommendedChoice', () => {
  it('loads downloaded weights from this browser, anything else from the hub', () => {
    expect(recommendedChoice([smol], DEFAULT_MODEL_ID, 'q8')).toBe(DEFAULT_MODEL_ID);
    expect(recommendedChoice([smol], DEFAULT_MODEL_ID, 'fp16')).toBe(HUB_CHOICE);
    expect(recommendedChoice([stories], DEFAULT_MODEL_ID, 'q8')).toBe(HUB_CHOICE);
  });
});
