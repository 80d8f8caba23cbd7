import { app } from '@wix/astro/builders';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';
import newContact from './extensions/backend/events/new-contact/new-contact.extension.ts';

export default app()
  .use(contactCreated)
  .use(newContact);
