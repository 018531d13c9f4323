/**
 * A title as people typed it, laid out so that no word is split over two lines: a word with a hyphen
 * inside ("LDP-a", "MLDP-a", "Bosne-i-Hercegovine") stays whole, as a break after its hyphen would
 * leave a case ending alone on the next line. Only a word wider than its whole line may still wrap.
 */
import { Fragment } from 'react';

export function TitleText({ text }: { text: string }) {
  const parts = text.split(/(\S*\p{L}-\p{L}\S*)/u);
  if (parts.length === 1) return text;
  return parts.map((part, i) =>
    i % 2 === 1 ? (
      <span key={i} className="nowrap">
        {part}
      </span>
    ) : (
      <Fragment key={i}>{part}</Fragment>
    ),
  );
}
