import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';

export interface SamplerConfig {
  root: 'always_on' | 'always_off' | 'traceidratio';
  parentBased: boolean;
  ratio: number;
}

const DEFAULT: SamplerConfig = { root: 'always_on', parentBased: true, ratio: 1 };

function parseRatio(arg: string | undefined, warnings: string[]): number {
  if (arg === undefined || arg.trim() === '') return 1;
  const ratio = Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    warnings.push(`ignoring invalid OTEL_TRACES_SAMPLER_ARG "${arg}" (want a number in [0, 1]): using 1`);
    return 1;
  }
  return ratio;
}

/** The standard OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG pair; bad values warn and fall back. */
export function parseSampler(
  name: string | undefined,
  arg: string | undefined,
  warnings: string[],
): SamplerConfig {
  const value = (name ?? '').trim().toLowerCase();
  switch (value) {
    case '':
    case 'parentbased_always_on':
      return DEFAULT;
    case 'always_on':
      return { root: 'always_on', parentBased: false, ratio: 1 };
    case 'always_off':
      return { root: 'always_off', parentBased: false, ratio: 0 };
    case 'parentbased_always_off':
      return { root: 'always_off', parentBased: true, ratio: 0 };
    case 'traceidratio':
      return { root: 'traceidratio', parentBased: false, ratio: parseRatio(arg, warnings) };
    case 'parentbased_traceidratio':
      return { root: 'traceidratio', parentBased: true, ratio: parseRatio(arg, warnings) };
    default:
      warnings.push(`ignoring unsupported OTEL_TRACES_SAMPLER "${name}": using parentbased_always_on`);
      return DEFAULT;
  }
}

export function buildSampler(config: SamplerConfig): Sampler {
  const root =
    config.root === 'always_on'
      ? new AlwaysOnSampler()
      : config.root === 'always_off'
        ? new AlwaysOffSampler()
        : new TraceIdRatioBasedSampler(config.ratio);
  return config.parentBased ? new ParentBasedSampler({ root }) : root;
}
