import { en, type Strings } from './en.js';

export type { Strings };

/** The catalogue the pages speak. One language today; a second is one more file and a setting. */
export const strings: Strings = en;
