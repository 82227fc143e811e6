/** Streams pieces into the answer box; each token keeps its explanation for hover/focus. */
import type { Piece } from '../worker/protocol.ts';
import { h } from './dom.ts';

const COLORS = ['#d97706', '#2563eb', '#059669', '#9333ea', '#dc2626'];

export class AnswerView {
  private readonly colorOf = new Map<string, string>();
  constructor(private readonly root: HTMLElement, private readonly explain: HTMLElement, dims: string[]) {
    dims.forEach((d, i) => this.colorOf.set(d, COLORS[i % COLORS.length]));
  }

  clear(): void {
    this.root.replaceChildren();
  }

  append(piece: Piece): void {
    if (!piece.text) return;
    const span = h('span', { class: 'tok', tabindex: '0' }, piece.text);
    const entries = Object.entries(piece.explanation.contributions);
    const top = entries.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))[0];
    // Mark a token when a preference moved its score by more than a tenth of a nat.
    if (top && Math.abs(top[1]) > 0.1) {
      span.dataset.dim = top[0];
      span.style.setProperty('--dim-color', this.colorOf.get(top[0]) ?? '#888');
    }
    const describe = () => {
      const parts = entries.map(([d, c]) => `${d} ${c >= 0 ? '+' : ''}${c.toFixed(2)}`);
      this.explain.textContent = `"${piece.text}": base log-prob ${piece.explanation.baseLogProb.toFixed(2)}${parts.length ? `; ${parts.join(', ')}` : ''}; score ${piece.explanation.score.toFixed(2)}`;
    };
    span.addEventListener('mouseenter', describe);
    span.addEventListener('focus', describe);
    this.root.append(span);
  }

  text(): string {
    return this.root.textContent ?? '';
  }
}
