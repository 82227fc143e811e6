/**
 * The one typed error of Tailor. It crosses the worker boundary as plain data ({code, message})
 * and is rebuilt on the client side, so `err instanceof TailorError && err.code === '...'` works
 * on both sides.
 */
export type TailorErrorCode =
  | 'model-not-found'
  | 'corrupt-model'
  | 'unsupported-device'
  | 'vocab-mismatch'
  | 'invalid-weights'
  | 'invalid-options'
  | 'aborted'
  | 'not-loaded'
  | 'busy'
  | 'device-lost'
  | 'storage-unavailable'
  | 'storage-quota'
  | 'invalid-import'
  | 'internal';

export interface TailorErrorData {
  code: TailorErrorCode;
  message: string;
}

export class TailorError extends Error {
  readonly code: TailorErrorCode;
  constructor(code: TailorErrorCode, message: string) {
    super(message);
    this.name = 'TailorError';
    this.code = code;
  }
  toData(): TailorErrorData {
    return { code: this.code, message: this.message };
  }
  static fromData(d: TailorErrorData): TailorError {
    return new TailorError(d.code, d.message);
  }
}
