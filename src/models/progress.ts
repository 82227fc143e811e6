/** Per-file download progress, summed over every file of every model a load fetches. */
export interface FileProgress {
  model: string;
  file: string;
  loaded: number;
  total: number;
}

export interface LoadProgress {
  files: FileProgress[];
  loaded: number;
  total: number;
  /** 0..1 over the files known so far. */
  fraction: number;
}

interface ProgressEvent {
  status: string;
  name?: string;
  file?: string;
  loaded?: number;
  total?: number;
}

export class ProgressTracker {
  private readonly files = new Map<string, FileProgress>();
  constructor(private readonly emit: (p: LoadProgress) => void) {}

  /** Feed a transformers.js progress_callback event. */
  readonly onEvent = (e: ProgressEvent): void => {
    if (!e.file || !e.name) return;
    const key = `${e.name}/${e.file}`;
    const prev = this.files.get(key) ?? { model: e.name, file: e.file, loaded: 0, total: 0 };
    if (e.status === 'progress' && typeof e.loaded === 'number' && typeof e.total === 'number') {
      this.files.set(key, { ...prev, loaded: e.loaded, total: e.total });
    } else if (e.status === 'done') {
      const total = prev.total || prev.loaded;
      this.files.set(key, { ...prev, loaded: total, total });
    } else if (e.status === 'initiate' && !this.files.has(key)) {
      this.files.set(key, prev);
    } else {
      return;
    }
    this.emit(this.snapshot());
  };

  snapshot(): LoadProgress {
    const files = [...this.files.values()];
    const loaded = files.reduce((s, f) => s + f.loaded, 0);
    const total = files.reduce((s, f) => s + f.total, 0);
    const allDone = files.length > 0 && files.every((f) => f.total > 0 && f.loaded >= f.total);
    return { files, loaded, total, fraction: allDone ? 1 : total > 0 ? Math.min(loaded / total, 0.999) : 0 };
  }
}
