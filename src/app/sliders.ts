/** One slider per preference dimension (from the base model's manifest), with its reward source. */
import type { Dimension, Weights } from '../engine/types.ts';
import { MAX_WEIGHT } from '../engine/weights.ts';
import type { SourceKind } from '../worker/protocol.ts';
import { h } from './dom.ts';

export interface SliderPanel {
  weights(): Weights;
  sources(): Record<string, SourceKind>;
  setWeights(w: Weights): void;
}

export function renderSliders(root: HTMLElement, dims: Dimension[], onChange: (w: Weights) => void): SliderPanel {
  root.replaceChildren();
  const inputs = new Map<string, HTMLInputElement>();
  const selects = new Map<string, HTMLSelectElement>();
  for (const d of dims) {
    const input = h('input', { type: 'range', min: String(-MAX_WEIGHT), max: String(MAX_WEIGHT), step: '0.01', value: '0', id: `w-${d.name}`, 'aria-label': `${d.name}: ${d.poles.negative} to ${d.poles.positive}` });
    const value = h('output', { for: input.id }, '0');
    input.addEventListener('input', () => {
      value.textContent = Number(input.value).toFixed(2);
      onChange(read());
    });
    const select = h('select', { id: `src-${d.name}`, 'aria-label': `${d.name} reward source` });
    for (const kind of ['reward-model', 'prompted'] as const) {
      if (!d.sources[kind]) continue;
      const opt = h('option', { value: kind }, kind === 'reward-model' ? 'reward model' : 'prompted');
      if (kind === d.defaultSource) opt.selected = true;
      select.append(opt);
    }
    selects.set(d.name, select);
    inputs.set(d.name, input);
    root.append(
      h('div', { class: 'slider' },
        h('label', { for: input.id }, h('strong', {}, d.name), ' ', value, ' ', select),
        input,
        h('div', { class: 'poles' }, h('span', {}, `← ${d.poles.negative}`), h('span', {}, `${d.poles.positive} →`)),
      ),
    );
  }
  const read = (): Weights => Object.fromEntries([...inputs].map(([n, i]) => [n, Number(i.value)]));
  return {
    weights: read,
    sources: () => Object.fromEntries([...selects].map(([n, s]) => [n, s.value as SourceKind])),
    setWeights(w) {
      for (const [n, i] of inputs) {
        i.value = String(w[n] ?? 0);
        i.dispatchEvent(new Event('input'));
      }
    },
  };
}
