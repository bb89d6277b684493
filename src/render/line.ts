// One line of a rendered plan, before the text and Markdown renderers give it colour or markup.

export type Sign = '+' | '~' | '-';

export interface Line {
  /** Spaces before the sign (or before the text, plus two, when there is no sign). */
  indent: number;
  sign?: Sign;
  text: string;
  style?: 'bold' | 'danger';
}
