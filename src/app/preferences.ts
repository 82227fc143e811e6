/**
 * The preferences side of the page: profiles (switch, create, rename, delete, export, import),
 * sliders kept in IndexedDB, thumbs up/down, and the "compare two" flow that learns the weights.
 */
import type { Dimension, Weights } from '../engine/types.ts';
import { openPrefs, type FeedbackInput, type Prefs, type ResponseObs, type WeightMove } from '../prefs/index.ts';
import type { ChatMessage, GenerateOptions, GenerationResult } from '../worker/protocol.ts';
import { $, h } from './dom.ts';
import type { SliderPanel } from './sliders.ts';

export interface PreferencesDeps {
  root: HTMLElement;
  comparison: HTMLElement;
  feedback: HTMLElement;
  model: string;
  dimensions: Dimension[];
  sliders: SliderPanel;
  generate(messages: ChatMessage[], options: GenerateOptions, onText?: (t: string) => void): Promise<GenerationResult | null>;
  request(): { messages: ChatMessage[]; options: GenerateOptions };
  showError(e: unknown): void;
}

export interface PreferencesPanel {
  onWeightsChanged(w: Weights): void;
  onResponse(messages: ChatMessage[], options: GenerateOptions, r: GenerationResult): void;
  compare(): Promise<void>;
}

export async function mountPreferences(d: PreferencesDeps): Promise<PreferencesPanel> {
  const { prefs, notices } = await openPrefs();
  const noticeBox = $('notices');
  const notify = (message: string, kind: string) => noticeBox.append(h('div', { class: 'notice', 'data-kind': kind }, message));
  for (const n of notices) notify(n.message, n.kind);
  await prefs.ensureActive();

  // Slider moves are saved debounced, as a patch of just the dimensions moved (so two tabs moving
  // different sliders of one profile compose), on the profile they were made on (so a switch
  // right after a move cannot carry them over to the next profile).
  let applying = false;
  let shown: Weights = {}; // what the sliders show, as of the last move or apply
  let pending: { profileId: string | undefined; weights: Record<string, number> } | null = null;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;

  const applyStoredWeights = () => {
    applying = true;
    try {
      const mine = pending && pending.profileId === prefs.active()?.id ? pending.weights : {};
      d.sliders.setWeights({ ...prefs.weights(d.model), ...mine }); // unsaved moves stay on screen
      shown = d.sliders.weights();
    } finally {
      applying = false;
    }
  };

  /** Starts saving the pending moves now (before a switch, a learn, or leaving the page). */
  const flush = () => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    if (!pending) return;
    const { profileId, weights } = pending;
    pending = null;
    void prefs.patchWeights(d.model, weights, profileId).catch((e: unknown) => {
      d.showError(e);
      // Nothing was saved: show what is stored again, rather than a change that is not kept.
      if (prefs.active()?.id === profileId) applyStoredWeights();
    });
  };
  addEventListener('pagehide', flush);

  const select = h('select', { id: 'profile', 'aria-label': 'Profile' });
  const button = (id: string, label: string, onClick: () => Promise<void>) => {
    const b = h('button', { id, type: 'button' }, label);
    b.addEventListener('click', () => void onClick().catch(d.showError));
    return b;
  };
  const importInput = h('input', { type: 'file', accept: 'application/json,.json', id: 'import-file', hidden: '' });
  const renderProfiles = () => {
    const active = prefs.active()?.id;
    select.replaceChildren(...prefs.list().map((p) => {
      const o = h('option', { value: p.id }, p.name);
      o.selected = p.id === active;
      return o;
    }));
  };
  select.addEventListener('change', () => {
    flush();
    void prefs.setActive(select.value).then(applyStoredWeights, d.showError);
  });
  importInput.addEventListener('change', () => void (async () => {
    const file = importInput.files?.[0];
    if (!file) return;
    try {
      const imported = await prefs.importJson(await file.text());
      notify(`Imported ${imported.length} profile${imported.length === 1 ? '' : 's'}.`, 'imported');
      // Into an empty store: make the first one active, or the select would show it while the
      // sliders show (and the next move would save) nobody's weights.
      if (!prefs.active() && imported[0]) {
        flush();
        await prefs.setActive(imported[0].id);
        applyStoredWeights();
      }
    } finally {
      importInput.value = ''; // choosing the same file again (e.g. after a fix) fires 'change' again
    }
  })().catch(d.showError));

  d.root.append(
    h('div', { class: 'row' }, h('label', { for: 'profile' }, 'Profile'), select),
    h('div', { class: 'row' },
      button('profile-new', 'New', async () => {
        const name = prompt('Name of the new profile', `Profile ${prefs.list().length + 1}`);
        if (!name) return;
        flush();
        const p = await prefs.create(name);
        await prefs.setActive(p.id);
        applyStoredWeights();
      }),
      button('profile-rename', 'Rename', async () => {
        const p = prefs.active();
        const name = p && prompt('New name', p.name);
        if (p && name) await prefs.rename(p.id, name);
      }),
      button('profile-delete', 'Delete', async () => {
        const p = prefs.active();
        if (p && confirm(`Delete the profile "${p.name}" and its history?`)) {
          if (pending?.profileId === p.id) {
            clearTimeout(saveTimer);
            pending = null; // its moves go with it
          }
          flush();
          await prefs.remove(p.id);
        }
        applyStoredWeights();
      }),
      button('profile-export', 'Export', async () => download(await prefs.exportJson(), 'tailor-profiles.json')),
      button('profile-import', 'Import', async () => importInput.click()),
      importInput,
    ),
    h('p', { class: 'hint', id: 'storage' }, prefs.storage === 'indexeddb' ? 'Saved on this device only.' : 'Not saved: storage is unavailable, preferences last until you close the page.'),
  );
  renderProfiles();
  applyStoredWeights();
  prefs.subscribe(() => {
    renderProfiles();
    applyStoredWeights();
  });

  let last: { prompt: string; obs: ResponseObs } | null = null;

  const showMoves = (moves: WeightMove[]) => {
    applyStoredWeights();
    const table = h('table', { class: 'moved', id: 'moves' },
      h('tr', {}, h('th', {}, 'dimension'), h('th', {}, 'before'), h('th', {}, 'after')),
      ...moves.map((m) => h('tr', {}, h('td', {}, m.dimension), h('td', {}, m.before.toFixed(2)), h('td', {}, `${m.after.toFixed(2)} (${m.delta >= 0 ? '+' : ''}${m.delta.toFixed(2)})`))),
    );
    d.comparison.hidden = false;
    d.comparison.replaceChildren(h('h2', {}, 'Your weights moved'), table);
  };

  const learn = async (fb: FeedbackInput) => {
    flush(); // the learner starts from the weights the user set
    showMoves(await prefs.addFeedback(fb, { learn: true }));
  };

  for (const [id, up] of [['thumb-up', true], ['thumb-down', false]] as const) {
    $(id).addEventListener('click', () => {
      if (!last) return;
      const { prompt: p, obs } = last;
      last = null;
      d.feedback.hidden = true;
      void learn({ kind: 'thumb', baseModel: d.model, prompt: p, up, ...obs }).catch(d.showError);
    });
  }

  return {
    onWeightsChanged(w) {
      if (applying) return;
      const profileId = prefs.active()?.id;
      if (pending && pending.profileId !== profileId) flush();
      const moved = Object.entries(w).filter(([dim, v]) => shown[dim] !== v);
      shown = { ...w };
      if (moved.length === 0) return;
      pending = { profileId, weights: { ...pending?.weights, ...Object.fromEntries(moved) } };
      clearTimeout(saveTimer);
      saveTimer = setTimeout(flush, 150);
    },
    onResponse(messages, options, r) {
      last = { prompt: messages.at(-1)?.content ?? '', obs: observation(r, options.weights ?? {}) };
      d.feedback.hidden = d.dimensions.length === 0;
    },
    async compare() {
      flush(); // the pair is proposed around the stored weights
      const { messages, options } = d.request();
      const pair = prefs.proposeComparison(d.model, { dims: d.dimensions.map((x) => x.name) });
      const boxA = h('div', { id: 'compare-a' });
      const boxB = h('div', { id: 'compare-b' });
      const pick = (chosen: 'a' | 'b') => h('button', { id: `pick-${chosen}`, type: 'button', disabled: '' }, `I prefer ${chosen.toUpperCase()}`);
      const pickA = pick('a');
      const pickB = pick('b');
      d.comparison.hidden = false;
      d.comparison.replaceChildren(h('h2', {}, 'Which answer is better for you?'), h('div', { class: 'pair' }, h('div', {}, h('strong', {}, 'A '), boxA), h('div', {}, h('strong', {}, 'B '), boxB)), h('div', { class: 'row' }, pickA, pickB));
      const a = await d.generate(messages, { ...options, weights: pair.a, features: true }, (t) => (boxA.textContent = t));
      const b = a && (await d.generate(messages, { ...options, weights: pair.b, features: true }, (t) => (boxB.textContent = t)));
      if (!a || !b) return;
      const choose = (chosen: 'a' | 'b') => void learn({
        kind: 'choice', baseModel: d.model, prompt: messages.at(-1)?.content ?? '', chosen,
        a: observation(a, pair.a), b: observation(b, pair.b),
      }).catch(d.showError);
      pickA.addEventListener('click', () => choose('a'));
      pickB.addEventListener('click', () => choose('b'));
      pickA.disabled = false;
      pickB.disabled = false;
      pickA.focus();
    },
  };
}

function observation(r: GenerationResult, weights: Weights): ResponseObs {
  return { features: r.sequenceRewards, weights, text: r.text };
}

function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export type { Prefs };
