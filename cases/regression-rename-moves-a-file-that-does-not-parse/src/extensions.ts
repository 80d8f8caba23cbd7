import { app } from '@wix/astro/builders';
import oldName from './extensions/backend/events/old-name/old-name.extension.ts';

export default app()
  .use(oldName);
