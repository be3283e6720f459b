// Public face of the witness side: one verified cosigning round, and the state it keeps between rounds.
export { WitnessAlarm, witnessOnce } from './witness-once.js';
export type { WitnessDeps, WitnessVerdict } from './witness-once.js';
export { readWitnessState, writeWitnessState } from './witness-state.js';
export type { WitnessState } from './witness-state.js';
