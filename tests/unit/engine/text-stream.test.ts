import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextStream } from '../../../src/engine/text-stream.ts';

/** Byte-level tokens: UTF-8 characters may be split over tokens. */
const BYTES: number[][] = [
  [0x61], // 'a'
  [0xc3], // first byte of 'é'
  [0xa9], // second byte of 'é'
  [0xe2], // first byte of '€'
  [0x82, 0xac], // rest of '€'
  [0x20, 0x62], // ' b'
];
const utf8 = new TextDecoder();
const byteDecode = (ids: number[]): string => utf8.decode(Uint8Array.from(ids.flatMap((i) => BYTES[i])));

test('multi-byte characters split over tokens are emitted whole', () => {
  const s = new TextStream(byteDecode);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((id) => s.push(id)), ['a', '', 'é', '', '€', ' b']);
  assert.equal(s.flush(), '');
});

test('flush releases an incomplete character at the end', () => {
  const s = new TextStream(byteDecode);
  assert.equal(s.push(0), 'a');
  assert.equal(s.push(3), '');
  assert.equal(s.flush(), '\uFFFD');
});

test('context from the previous token keeps SentencePiece-style leading spaces', () => {
  // Like SentencePiece: decoding strips the leading space of the first piece.
  const pieces = [' hello', ' world', '!'];
  const spDecode = (ids: number[]): string => ids.map((i) => pieces[i]).join('').replace(/^ /, '');
  const s = new TextStream(spDecode);
  assert.deepEqual([0, 1, 2].map((id) => s.push(id)), ['hello', ' world', '!']);
});

test('each push decodes a short window, not the whole text', () => {
  let decodedIds = 0;
  let longest = 0;
  const counting = (ids: number[]): string => {
    decodedIds += ids.length;
    longest = Math.max(longest, ids.length);
    return byteDecode(ids);
  };
  const s = new TextStream(counting);
  let text = '';
  for (let i = 0; i < 1000; i++) text += s.push(i % 2 === 0 ? 0 : 5);
  assert.equal(text, 'a b'.repeat(500));
  assert.equal(longest, 2); // previous chunk + the new token
  assert.ok(decodedIds <= 3 * 1000, `decoded ${decodedIds} ids in total`);
});
