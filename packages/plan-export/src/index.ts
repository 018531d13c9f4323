export * from './texts.js';
export * from './document.js';
export * from './spreadsheet.js';
export * from './pdf.js';
