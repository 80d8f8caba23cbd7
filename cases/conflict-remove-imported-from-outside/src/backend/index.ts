export { greeting } from '../extensions/backend/events/old-name/helpers.ts';
export * from './report';
