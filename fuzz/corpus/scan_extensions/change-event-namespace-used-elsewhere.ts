import { app } from '@wix/astro/builders';
import contactSync from './extensions/backend/events/contact-sync/contact-sync.extension.ts';

export default app()
  .use(contactSync);
