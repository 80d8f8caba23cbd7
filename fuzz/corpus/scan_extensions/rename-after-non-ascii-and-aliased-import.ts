// «Ünïcödé» 🎉
import { app } from '@wix/astro/builders';
import { eventOldName as legacyContacts } from './extensions/backend/events/old-name/old-name.extension';

export default app().use(legacyContacts);
