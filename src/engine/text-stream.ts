/**
 * Incremental detokenisation. Decoding each token alone is wrong (SentencePiece-style leading
 * spaces depend on the previous token; one character's UTF-8 bytes can be split over tokens), and
 * decoding the whole answer per token is O(n²). Instead (the prefix/read-offset scheme of HF
 * text-generation-inference) decode only the ids since the last emission plus the tokens of that
 * emission as context, and emit the difference. While the decoded window ends with U+FFFD the
 * character is incomplete: emit nothing and wait for the next token.
 */
/** Takes a fresh array each call (mutable, so a tokenizer's `decode(ids: number[])` fits directly). */
export type Detokenize = (ids: number[]) => string;

const REPLACEMENT_CHAR = '\uFFFD';

/**
 * After this many held tokens the U+FFFD is taken to be real (invalid bytes, or a literal U+FFFD)
 * and emitted, which also bounds the decode window. UTF-8 needs at most 4 byte-tokens per char.
 */
const MAX_HELD_TOKENS = 8;

export class TextStream {
  private readonly ids: number[] = [];
  /** Start of the context window: the first id of the last emitted chunk. */
  private prefixOffset = 0;
  /** End of the already-emitted ids. */
  private readOffset = 0;

  constructor(private readonly detokenize: Detokenize) {}

  /** Adds one generated token and returns the newly completed text ('' when held back). */
  push(tokenId: number): string {
    this.ids.push(tokenId);
    const prefixText = this.detokenize(this.ids.slice(this.prefixOffset, this.readOffset));
    const fullText = this.detokenize(this.ids.slice(this.prefixOffset));
    const held = this.ids.length - this.readOffset;
    if (fullText.endsWith(REPLACEMENT_CHAR) && held < MAX_HELD_TOKENS) return '';
    return this.emit(prefixText, fullText);
  }

  /** Emits whatever is still held (end of generation), incomplete characters included. */
  flush(): string {
    if (this.readOffset === this.ids.length) return '';
    const prefixText = this.detokenize(this.ids.slice(this.prefixOffset, this.readOffset));
    const fullText = this.detokenize(this.ids.slice(this.prefixOffset));
    return this.emit(prefixText, fullText);
  }

  private emit(prefixText: string, fullText: string): string {
    // Decoding with more context may normalise the prefix differently; never emit a negative diff.
    const text = fullText.length > prefixText.length ? fullText.slice(prefixText.length) : '';
    this.prefixOffset = this.readOffset;
    this.readOffset = this.ids.length;
    return text;
  }
}
