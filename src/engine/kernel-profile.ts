/**
 * Where a training step's time goes, from jax-js's own profiler: while tracing, every kernel launch is
 * recorded as a `performance.measure` on the "JAX Profiler" track. Kernels are grouped by what they do
 * (a named routine such as a matmul, a fused reduction, an elementwise kernel), and the step time no
 * kernel accounts for is the engine's own dispatch overhead.
 */
import { profiler } from '@jax-js/jax';

export interface KernelProfile {
  steps: number;
  launchesPerStep: number;
  /** Kernel time per group, as a share of all kernel time, largest first. */
  groups: { name: string; launchesPerStep: number; share: number }[];
  /** Share of the steps' wall time spent outside any kernel. */
  outsideKernels: number;
}

interface TraceDetail {
  devtools?: { trackGroup?: string; properties?: [string, string][] };
}

function groupOf(entry: PerformanceEntry): string {
  const properties = new Map<string, string>((entry as PerformanceMeasure & { detail?: TraceDetail }).detail?.devtools?.properties ?? []);
  if (!entry.name.startsWith('Kernel[')) return `routine ${entry.name}`;
  const reduction = properties.get('reduction');
  return reduction ? `reduction kernel (${reduction.split(':')[0]})` : 'elementwise kernel';
}

/** Runs `steps` awaited steps with the profiler on and sums what it recorded. */
export async function profileKernels(steps: number, step: () => Promise<void>): Promise<KernelProfile> {
  performance.clearMeasures();
  profiler.startTrace();
  const t0 = performance.now();
  try {
    for (let i = 0; i < steps; i++) await step();
  } finally {
    profiler.stopTrace();
  }
  const wall = performance.now() - t0;
  const kernels = performance
    .getEntriesByType('measure')
    .filter((e) => (e as PerformanceMeasure & { detail?: TraceDetail }).detail?.devtools?.trackGroup === 'JAX Profiler');
  performance.clearMeasures();
  const total = kernels.reduce((sum, e) => sum + e.duration, 0);
  const groups = new Map<string, { launches: number; time: number }>();
  for (const e of kernels) {
    const g = groups.get(groupOf(e)) ?? { launches: 0, time: 0 };
    g.launches++;
    g.time += e.duration;
    groups.set(groupOf(e), g);
  }
  return {
    steps,
    launchesPerStep: kernels.length / steps,
    groups: [...groups]
      .map(([name, g]) => ({ name, launchesPerStep: g.launches / steps, share: total > 0 ? g.time / total : 0 }))
      .sort((a, b) => b.share - a.share),
    outsideKernels: wall > 0 ? Math.max(0, 1 - total / wall) : 0,
  };
}
