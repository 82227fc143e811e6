/** Strict check of one feedback entry (stored or imported). */
import { ID_PATTERN } from './ids.ts';
import { MAX_ABS_FEATURE, MAX_KEY_LENGTH, MAX_PROMPT_LENGTH, MAX_TEXT_LENGTH, MAX_WEIGHT } from './limits.ts';
import { bool, describe, exactKeys, fail, num, numberMap, plainObject, str } from './schema-check.ts';
import type { Feedback, ResponseObs } from './types.ts';

const NOW_SLACK_MS = 1e13; // timestamps are ms since epoch; anything above ~2286 AD is garbage

function response(v: unknown, path: string): ResponseObs {
  const o = plainObject(v, path);
  exactKeys(o, path, ['features', 'weights'], ['text']);
  const out = {
    features: numberMap(o.features, `${path}.features`, -MAX_ABS_FEATURE, MAX_ABS_FEATURE),
    weights: numberMap(o.weights, `${path}.weights`, -MAX_WEIGHT, MAX_WEIGHT),
  };
  return o.text === undefined ? out : { ...out, text: str(o.text, `${path}.text`, MAX_TEXT_LENGTH) };
}

export function validateFeedback(v: unknown, path: string): Feedback {
  const o = plainObject(v, path);
  const common = {
    id: str(o.id, `${path}.id`, 64, ID_PATTERN),
    baseModel: str(o.baseModel, `${path}.baseModel`, MAX_KEY_LENGTH),
    prompt: str(o.prompt, `${path}.prompt`, MAX_PROMPT_LENGTH),
    at: num(o.at, `${path}.at`, 0, NOW_SLACK_MS),
  };
  if (common.baseModel.length === 0) fail(`${path}.baseModel`, 'must not be empty');
  if (o.kind === 'choice') {
    exactKeys(o, path, ['kind', 'id', 'baseModel', 'prompt', 'a', 'b', 'chosen', 'at']);
    if (o.chosen !== 'a' && o.chosen !== 'b') fail(`${path}.chosen`, `expected "a" or "b", got ${describe(o.chosen)}`);
    return { kind: 'choice', ...common, a: response(o.a, `${path}.a`), b: response(o.b, `${path}.b`), chosen: o.chosen };
  }
  if (o.kind === 'thumb') {
    exactKeys(o, path, ['kind', 'id', 'baseModel', 'prompt', 'up', 'features', 'weights', 'at'], ['text']);
    const r = response({ features: o.features, weights: o.weights, ...(o.text === undefined ? {} : { text: o.text }) }, path);
    return { kind: 'thumb', ...common, ...r, up: bool(o.up, `${path}.up`) };
  }
  return fail(`${path}.kind`, `expected "choice" or "thumb", got ${describe(o.kind)}`);
}
