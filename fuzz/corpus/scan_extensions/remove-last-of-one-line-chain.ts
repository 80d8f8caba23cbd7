import { app } from '@wix/astro/builders';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';
import oldOne from './extensions/backend/events/old-one/old-one.extension.ts';

export default app().use(contactCreated).use(oldOne);
