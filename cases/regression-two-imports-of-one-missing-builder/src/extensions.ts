import { app } from '@wix/astro/builders';
import { eventContactCreated } from './extensions/backend/events/contact-created/contact-created.extension';
import { eventContactCreated as contactCreatedAgain } from './extensions/backend/events/contact-created/contact-created.extension';

export default app().use(eventContactCreated);
