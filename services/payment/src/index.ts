export { type BuildAppOptions, buildApp } from './app.ts';
export { TEST_CARD_OUTCOMES } from './domain/card.ts';
