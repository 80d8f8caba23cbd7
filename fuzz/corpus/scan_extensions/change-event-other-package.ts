import { app } from '@wix/astro/builders';
import notify from './extensions/backend/events/notify/notify.extension.ts';

export default app()
  .use(notify);
