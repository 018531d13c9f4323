/**
 * The print model alone, browser-safe (`@tabla/plan-export/model`): the plan document, the
 * commitments matrix and the texts, for the board's on-screen and print views. No pdfmake, no
 * spreadsheet writer, no Node import here (eslint checks): the board bundles this file only.
 */
export * from './texts.js';
export * from './document.js';
