// Loaded on demand.
export const load = () => import('../extensions/backend/events/old-name/old-name.ts');
