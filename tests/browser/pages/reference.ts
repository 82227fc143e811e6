/**
 * Imported into a test page: transformers.js's own generate() on the page's main thread, the
 * reference our decode loop is checked against.
 */
import { AutoModelForCausalLM, AutoTokenizer, Tensor } from '@huggingface/transformers';
import { DEFAULT_SOURCE, useSource } from '../../../src/models/source.ts';
import type { Device, Dtype } from '../../../src/models/device.ts';

export async function referenceGreedy(model: string, device: Device, dtype: Dtype, prompt: string, maxNewTokens: number): Promise<number[]> {
  useSource(DEFAULT_SOURCE, `${location.origin}/ort/`);
  const tokenizer = await AutoTokenizer.from_pretrained(model);
  const lm = await AutoModelForCausalLM.from_pretrained(model, { device, dtype });
  const inputs = tokenizer.apply_chat_template([{ role: 'user', content: prompt }], { add_generation_prompt: true, return_dict: true }) as { input_ids: Tensor; attention_mask: Tensor };
  const out = (await lm.generate({ ...inputs, max_new_tokens: maxNewTokens, do_sample: false })) as Tensor;
  const all = Array.from(out.data as BigInt64Array, Number);
  await lm.dispose();
  return all.slice(inputs.input_ids.dims[1]);
}
