import { app } from '@wix/astro/builders';
import myPage from './extensions/dashboard/pages/my-page/my-page.extension.ts';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';
import contactUpdated from './extensions/backend/events/contact-updated/contact-updated.extension.ts';

export default app()
  .use(myPage)
  .use(contactCreated).use(contactUpdated);
