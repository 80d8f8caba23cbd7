import { app } from '@wix/astro/builders';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension';

export default app().use(contactCreated);
