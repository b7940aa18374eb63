/**
 * The dtypes glon loads and the transformers.js file layout behind each: plain data, kept apart from
 * model-files.ts so the page's first bundle (URL state, experiment specs) does not pull in transformers.js.
 */
import type { Dtype } from './language-model.ts';

export const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'q4'];

/** The ONNX file transformers.js loads for each dtype. */
export const DTYPE_FILES: Record<Dtype, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  q4: 'onnx/model_q4.onnx',
};

export const CONFIG_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;
