import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { exemplarLabels, isNoExemplar } from './exemplars.ts';

export type Labels = Record<string, string | number>;

export interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
  /**
   * The known values of each label: every combination is exported at 0 from start-up, so the first
   * event is an increase that rate()/increase() can see (a series born at 1 loses it). Labels left
   * out here are not pre-created (values only known at run time).
   */
  known?: Readonly<Record<string, readonly string[]>>;
}

export interface HistogramOptions extends MetricOptions {
  buckets?: number[];
}

export interface BusinessCounter {
  /** inc(labels?, value = 1); the active sampled trace becomes the exemplar. */
  inc(labels?: Labels | number, value?: number): void;
  readonly metric: Counter;
}

export interface BusinessHistogram {
  /** observe(labels, value) or observe(value); the active sampled trace becomes the exemplar. */
  observe(labels: Labels | number, value?: number): void;
  readonly metric: Histogram;
}

/** Every combination of the known label values (one empty set when there are none). */
export function labelCombinations(known: Readonly<Record<string, readonly string[]>> = {}): Labels[] {
  let sets: Labels[] = [{}];
  for (const [name, values] of Object.entries(known)) {
    sets = sets.flatMap((set) => values.map((value) => ({ ...set, [name]: value })));
  }
  return sets;
}

function checkKnown(options: MetricOptions): Labels[] {
  if (!options.known) return [];
  const unknown = Object.keys(options.known).filter((l) => !options.labelNames?.includes(l));
  if (unknown.length > 0) throw new Error(`${options.name}: known values for undeclared labels ${unknown}`);
  return labelCombinations(options.known);
}

/** Counters and histograms that attach the active trace id as an exemplar; creation is idempotent per name. */
export function createBusinessMetrics(registry: Registry) {
  const counters = new Map<string, BusinessCounter>();
  const histograms = new Map<string, BusinessHistogram>();

  function counter(options: MetricOptions): BusinessCounter {
    const existing = counters.get(options.name);
    if (existing) return existing;
    const metric = new Counter({
      name: options.name,
      help: options.help,
      labelNames: [...(options.labelNames ?? [])],
      // Registered below, not here: prom-client refuses exemplars on a registry built for Prometheus text,
      // yet this registry renders either format per scrape.
      registers: [],
      enableExemplars: true,
    });
    registry.registerMetric(metric);
    for (const set of checkKnown(options)) metric.inc({ labels: set, value: 0 });
    const wrapper: BusinessCounter = {
      metric,
      inc(labels, value) {
        const [set, amount] = typeof labels === 'number' ? [{}, labels] : [labels ?? {}, value ?? 1];
        const exemplar = exemplarLabels();
        if (isNoExemplar(exemplar)) metric.inc({ labels: set, value: amount });
        else metric.inc({ labels: set, value: amount, exemplarLabels: exemplar });
      },
    };
    counters.set(options.name, wrapper);
    return wrapper;
  }

  function histogram(options: HistogramOptions): BusinessHistogram {
    const existing = histograms.get(options.name);
    if (existing) return existing;
    const metric = new Histogram({
      name: options.name,
      help: options.help,
      labelNames: [...(options.labelNames ?? [])],
      ...(options.buckets ? { buckets: options.buckets } : {}),
      registers: [],
      enableExemplars: true,
    });
    registry.registerMetric(metric);
    for (const set of checkKnown(options)) metric.zero(set);
    const wrapper: BusinessHistogram = {
      metric,
      observe(labels, value) {
        const [set, amount] = typeof labels === 'number' ? [{}, labels] : [labels, value ?? 0];
        const exemplar = exemplarLabels();
        if (isNoExemplar(exemplar)) metric.observe({ labels: set, value: amount });
        else metric.observe({ labels: set, value: amount, exemplarLabels: exemplar });
      },
    };
    histograms.set(options.name, wrapper);
    return wrapper;
  }

  function gauge(options: MetricOptions): Gauge {
    const existing = registry.getSingleMetric(options.name);
    if (existing instanceof Gauge) return existing;
    const metric = new Gauge({
      name: options.name,
      help: options.help,
      labelNames: [...(options.labelNames ?? [])],
      registers: [registry],
    });
    for (const set of checkKnown(options)) metric.set(set, 0);
    return metric;
  }

  return { counter, histogram, gauge };
}
