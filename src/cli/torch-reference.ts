/**
 * The PyTorch reference of the LoRA step (bench/torch_lora_step.py) as a long-lived child process, so its
 * rounds can be interleaved with glon's in one run. Found when a `python3` with torch is on the machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LlamaConfig } from '../model/llama-config.ts';
import type { LoraConfig } from '../engine/lora.ts';

const SCRIPT = fileURLToPath(new URL('../../bench/torch_lora_step.py', import.meta.url));

export interface TorchHeader {
  torch: string;
  threads: number;
  trainable: number;
  /** threadpoolctl's view of the BLAS and OpenMP libraries loaded, or torch's build configuration lines. */
  blas: unknown[];
  openblas_coretype: string | null;
}

export interface TorchReference {
  header: TorchHeader;
  /** Seconds of each of `steps` steps. */
  steps(steps: number): Promise<number[]>;
  close(): void;
}

/** The first of $GLON_PYTHON, python3 and Debian's /usr/bin/python3 that imports torch, or undefined. */
export function findTorchPython(): string | undefined {
  const candidates = [process.env.GLON_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  return candidates.find((python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

export async function startTorchReference(
  python: string,
  c: LlamaConfig,
  lora: LoraConfig,
  batch: number,
  length: number,
): Promise<TorchReference> {
  const shape = {
    vocab: c.vocabSize,
    hidden: c.hiddenSize,
    intermediate: c.intermediateSize,
    layers: c.numLayers,
    heads: c.numHeads,
    kv_heads: c.numKvHeads,
    head_dim: c.headDim,
    batch,
    length,
    rank: lora.rank,
    alpha: lora.alpha,
    targets: lora.targets,
  };
  const child = spawn(python, [SCRIPT, JSON.stringify(shape)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<unknown> => {
    const line = await lines.next();
    if (line.done) throw new Error(`${SCRIPT} ended early (exit code ${child.exitCode})`);
    return JSON.parse(line.value);
  };
  const header = (await next()) as TorchHeader;
  return {
    header,
    async steps(n) {
      child.stdin.write(`${n}\n`);
      return ((await next()) as { seconds: number[] }).seconds;
    },
    close() {
      child.stdin.end();
    },
  };
}
