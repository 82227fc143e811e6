/**
 * A reward model's per-token log-probs only mean something if token id t is the same string for
 * it and for the base. Refuse a mismatch at load time rather than decode garbage.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { TailorError } from '../errors.ts';

export function assertSameVocabulary(baseId: string, base: PreTrainedTokenizer, otherId: string, other: PreTrainedTokenizer): void {
  const a = base.get_vocab();
  const b = other.get_vocab();
  if (a.size !== b.size) {
    throw new TailorError('vocab-mismatch', `Reward model "${otherId}" has a vocabulary of ${b.size} tokens, but the base "${baseId}" has ${a.size}; they must share one tokenizer.`);
  }
  for (const [token, id] of a) {
    if (b.get(token) !== id) {
      throw new TailorError('vocab-mismatch', `Reward model "${otherId}" maps token ${JSON.stringify(token)} to id ${String(b.get(token))}, the base "${baseId}" to ${id}; they must share one tokenizer.`);
    }
  }
  const sa = base.all_special_tokens.join('\u0000');
  const sb = other.all_special_tokens.join('\u0000');
  if (sa !== sb) {
    throw new TailorError('vocab-mismatch', `Reward model "${otherId}" has special tokens [${other.all_special_tokens.join(', ')}], the base "${baseId}" has [${base.all_special_tokens.join(', ')}].`);
  }
}
