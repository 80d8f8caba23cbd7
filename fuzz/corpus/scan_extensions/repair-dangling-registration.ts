import { app } from '@wix/astro/builders';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';
import goneAway from './extensions/backend/events/gone-away/gone-away.extension.ts';

export default app()
  .use(goneAway)
  .use(contactCreated);
