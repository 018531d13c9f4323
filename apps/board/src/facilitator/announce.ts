/** Says the outcome of an action to screen readers (and shows it briefly): the set-up panel's, for each of its sections. */
export type Announce = (text: string) => void;
