import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findStopString, heldBackLength, isEos, reachedMaxTokens } from '../../../src/engine/stopping.ts';

test('findStopString finds a stop string straddling the previous text', () => {
  // previous text "Hi\nUs" (5 chars), new "er:" completes "\nUser:" starting at 2.
  assert.equal(findStopString('Hi\nUser:', ['\nUser:'], 5), 2);
  assert.equal(findStopString('Hi\nUse', ['\nUser:'], 5), -1);
  // Earliest of several.
  assert.equal(findStopString('ab END. x', ['x', 'END'], 3), 3);
});

test('findStopString ignores occurrences entirely in text already checked', () => {
  // "END" ends at 3 ≤ previous length 5: it would have stopped earlier, so it is not re-reported.
  assert.equal(findStopString('END..x', ['END'], 5), -1);
});

test('heldBackLength: longest suffix that is a proper prefix of a stop string', () => {
  assert.equal(heldBackLength('Hi\nUs', ['\nUser:']), 3);
  assert.equal(heldBackLength('Hi\n', ['\nUser:', 'Hi\n\n']), 3);
  assert.equal(heldBackLength('Hi', ['\nUser:']), 0);
  assert.equal(heldBackLength('a', []), 0);
});

test('EOS and max tokens', () => {
  assert.equal(isEos(5, new Set([5, 7])), true);
  assert.equal(isEos(6, new Set([5, 7])), false);
  assert.equal(reachedMaxTokens(2, 3), false);
  assert.equal(reachedMaxTokens(3, 3), true);
});
