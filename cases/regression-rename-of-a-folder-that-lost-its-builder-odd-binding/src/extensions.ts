import { app } from '@wix/astro/builders';
import { handlers } from './extensions/backend/events/old-name/old-name.extension.ts';

export default app().use(handlers);
