export * from './frames.js';
export * from './connection.js';
export * from './raw.js';
export * from './stock.js';
export * from './time.js';
export * from './crafted.js';
