import { app } from '@wix/astro/builders';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';

export default app()
  .use(contactCreated);
