/**
 * "Nothing leaves this device": a whole personalized session in the page — load the base and its
 * reward models, set weights, generate, thumbs up, compare two and pick, export — with every
 * request the browser makes recorded. Each must be a plain GET of the app's own files, and none
 * may carry the prompt, an answer, a weight or a profile name in its URL or headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { useAppInBrowser } from './harness.ts';
import { DIMS, MODEL, REWARD_MODELS, eventually, generate, newProfile, openApp, setSlider, storedProfiles, weightsOf } from './pages/prefs-support.ts';

const env = useAppInBrowser();

const PROMPT_WORD = 'zorblaxian';
const PROMPT = `What does the word ${PROMPT_WORD} mean?`;
const PROFILE = 'Quixotic Zebulon';

/** The forms a string could take in a URL or header. */
function forms(s: string): string[] {
  const out = new Set([s, encodeURIComponent(s), encodeURI(s), s.replace(/ /g, '+'), encodeURIComponent(s).replace(/%20/g, '+'), Buffer.from(s).toString('base64')]);
  return [...out].map((x) => x.toLowerCase());
}

/** A text and every 16-character window of it (a leak of part of an answer counts too). */
function textNeedles(text: string): string[] {
  const t = text.trim();
  if (t.length < 8) return [];
  const out = [t];
  for (let i = 0; i + 16 <= t.length; i += 4) out.push(t.slice(i, i + 16));
  return out.filter((x) => x.trim().length >= 8);
}

test('a whole session makes only same-origin GETs, none carrying the prompt, answers, weights or profile names', async (t) => {
  if (!REWARD_MODELS) t.diagnostic('reward models not on disk: the session runs on rm=0 with prompted sources');
  const rec = await openApp(env.browser, env.app);
  const { page, requests } = rec;
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  const origin = new URL(env.app.url).origin;

  // Personalize: a named profile with weights set by hand.
  const id = await newProfile(page, PROFILE);
  await setSlider(page, 'expertise', 1.3);
  await setSlider(page, 'style', -0.9);
  await eventually(() => storedProfiles(page), (ps) => assert.equal(weightsOf(ps[id]).style, -0.9));

  // Generate, thumbs up.
  await page.fill('#prompt', PROMPT);
  const answer = await generate(page);
  assert.ok(answer.trim().length > 0);
  await page.click('#thumb-up');
  await eventually(() => storedProfiles(page), (ps) => assert.equal(ps[id].feedback.length, 1));

  // Compare two and pick B.
  await page.click('#compare');
  await page.waitForSelector('#pick-b:enabled', { timeout: 60_000 });
  const pair = [(await page.textContent('#compare-a')) ?? '', (await page.textContent('#compare-b')) ?? ''];
  await page.click('#pick-b');
  await page.waitForSelector('#moves');
  const profile = await eventually(() => storedProfiles(page).then((ps) => ps[id]), (p) => assert.equal(p.feedback.length, 2));

  // Export.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#profile-export')]);
  const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.ok(exported.profiles.some((p: any) => p.name === PROFILE));
  await page.waitForTimeout(300); // anything the export might trigger has been sent
  assert.equal(await page.isHidden('#error'), true, (await page.textContent('#error')) ?? '');

  // The recording saw the model downloads (the worker's fetches included), so it is not blind.
  assert.ok(requests.some((r) => r.url.includes(`/models/${MODEL}/onnx/`)), 'the base model download was recorded');
  if (REWARD_MODELS) for (const d of DIMS) assert.ok(requests.some((r) => r.url.includes(`/models/tailor-rm-${d}/`)), `reward model ${d} was recorded`);

  for (const r of requests) {
    assert.equal(r.method, 'GET', `${r.method} ${r.url}`);
    assert.equal(new URL(r.url).origin, origin, `other origin: ${r.url}`);
    assert.equal(r.postData, null, `a body was sent to ${r.url}`);
  }
  assert.deepEqual(sockets, [], 'no WebSocket');

  const weights = Object.entries(weightsOf(profile)) as Array<[string, number]>;
  const needles: Array<[string, string]> = [
    ...forms(PROMPT_WORD).map((n): [string, string] => ['prompt', n]),
    ...forms(PROFILE).map((n): [string, string] => ['profile name', n]),
    ...[answer, ...pair, ...profile.feedback.map((f: any) => f.text ?? '')]
      .flatMap(textNeedles)
      .flatMap(forms)
      .map((n): [string, string] => ['answer text', n]),
    // The hand-set values next to their dimension, and the learned ones at full precision.
    ...DIMS.flatMap((d) => [`${d}=1.3`, `${d}=-0.9`, `"${d}":1.3`, `"${d}":-0.9`, `${d}%22%3a1.3`]).map((n): [string, string] => ['weight', n.toLowerCase()]),
    ...weights.filter(([, v]) => String(v).replace(/^-?0\./, '').length >= 4).map(([, v]): [string, string] => ['learned weight', String(v)]),
  ];
  assert.ok(weights.length > 0 && needles.some(([k]) => k === 'learned weight'), `learned weights to look for: ${JSON.stringify(weights)}`);
  for (const r of requests) {
    const haystack = [r.url, ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`)].join('\n').toLowerCase();
    for (const [what, needle] of needles) assert.ok(!haystack.includes(needle), `${what} ${JSON.stringify(needle)} found in the request for ${r.url}`);
  }
  t.diagnostic(`${requests.length} requests checked against ${needles.length} strings`);
  await rec.context.close();
});
