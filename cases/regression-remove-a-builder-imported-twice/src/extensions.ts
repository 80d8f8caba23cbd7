import { app } from '@wix/astro/builders';
import oldName from './extensions/backend/events/old-name/old-name.extension';
import { retries } from './extensions/backend/events/old-name/old-name.extension';

export default app().use(oldName);
