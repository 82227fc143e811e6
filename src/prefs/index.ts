/** Public surface of the preferences layer. */
export { openPrefs, Prefs, DEFAULT_PROFILE_ID, type OpenPrefsOptions, type ImportOptions, type PrefsListener } from './prefs.ts';
export type { CollisionPolicy, ImportedProfile } from './import-plan.ts';
export { EXPORT_FORMAT, EXPORT_VERSION, type ExportEnvelope } from './export-format.ts';
export { MIGRATIONS } from './migrate.ts';
export { SCHEMA_VERSION } from './types.ts';
export type { ChoiceFeedback, Feedback, FeedbackInput, LearnerState, Notice, Profile, ResponseObs, ThumbFeedback, WeightMove } from './types.ts';
export { learnFromFeedback, clampWeight, type LearnableFeedback, type LearnOptions, type LearnResult } from './learning.ts';
export { proposeComparison, type Comparison, type QueryOptions } from './learning-query.ts';
export { weightMoves } from './learning-moves.ts';
export { emptyLearner } from './learning-state.ts';
