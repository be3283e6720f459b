// The source of "now" for every time-dependent rule, injected so tests control time.
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
