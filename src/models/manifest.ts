/**
 * The dimension manifest (`tailor.json` next to a base model): which preference dimensions the
 * base offers, their poles and reward sources. Data, not code; validated here.
 */
import { TailorError } from '../errors.ts';
import type { Dimension } from '../engine/types.ts';

export interface DimensionManifest {
  schema: 1;
  base: string;
  dimensions: Dimension[];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

export function parseManifest(raw: unknown, baseId: string): DimensionManifest {
  const bad = (why: string) => new TailorError('corrupt-model', `The dimension manifest of "${baseId}" is invalid: ${why}.`);
  if (!isObj(raw) || raw.schema !== 1) throw bad('expected {"schema": 1, ...}');
  if (!Array.isArray(raw.dimensions)) throw bad('"dimensions" must be a list');
  const names = new Set<string>();
  const dimensions = raw.dimensions.map((d, i): Dimension => {
    if (!isObj(d) || !isStr(d.name)) throw bad(`dimension ${i} has no name`);
    if (names.has(d.name)) throw bad(`dimension "${d.name}" appears twice`);
    names.add(d.name);
    const poles = d.poles;
    if (!isObj(poles) || !isStr(poles.negative) || !isStr(poles.positive)) throw bad(`dimension "${d.name}" needs poles.negative and poles.positive`);
    const sources = isObj(d.sources) ? d.sources : {};
    const out: Dimension = { name: d.name, poles: { negative: poles.negative, positive: poles.positive }, sources: {}, defaultSource: 'prompted' };
    const rm = sources['reward-model'];
    if (rm !== undefined) {
      if (!isObj(rm) || !isStr(rm.model)) throw bad(`dimension "${d.name}": reward-model source needs "model"`);
      const reference = rm.reference === undefined ? 'base' : rm.reference;
      if (!isStr(reference)) throw bad(`dimension "${d.name}": "reference" must be "base" or a model id`);
      const scale = rm.scale === undefined ? 1 : rm.scale;
      if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > 1) throw bad(`dimension "${d.name}": "scale" must be a number in (0, 1]`);
      out.sources['reward-model'] = { kind: 'reward-model', model: rm.model, reference, scale };
    }
    const pr = sources.prompted;
    if (pr !== undefined) {
      if (!isObj(pr) || !isStr(pr.text)) throw bad(`dimension "${d.name}": prompted source needs "text"`);
      out.sources.prompted = { kind: 'prompted', text: pr.text };
    }
    if (!out.sources['reward-model'] && !out.sources.prompted) throw bad(`dimension "${d.name}" has no reward source`);
    const def = d.defaultSource;
    if (def !== 'reward-model' && def !== 'prompted') throw bad(`dimension "${d.name}": defaultSource must be "reward-model" or "prompted"`);
    if (!out.sources[def]) throw bad(`dimension "${d.name}": its default source "${def}" is not declared`);
    out.defaultSource = def;
    return out;
  });
  return { schema: 1, base: isStr(raw.base) ? raw.base : baseId, dimensions };
}
