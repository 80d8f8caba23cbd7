import { app } from '@wix/astro/builders';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';
import settings from './extensions/dashboard/pages/settings/settings.extension.ts';

export default app()
  .use(settings)
  .use(contactCreated);
