import { app } from '@wix/astro/builders';
import oldName from './extensions/backend/events/old-name/old-name.extension.ts';
import stale from './extensions/backend/events/old-name/old/stale.extension.ts';

export default app()
  .use(oldName)
  .use(stale);
