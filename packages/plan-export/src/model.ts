/**
 * The print model alone, browser-safe (`@tabla/plan-export/model`): the plan document, the
 * commitments matrix, the texts and the dates, for the board's on-screen and print views (and
 * every date the board writes). No pdfmake, no spreadsheet writer, no Node import here (eslint
 * checks): the board bundles this file only.
 */
export * from './texts.js';
export * from './document.js';
export * from './dates.js';
