import { app } from '@wix/astro/builders';
import myPage from './extensions/dashboard/pages/my-page/my-page.extension.ts';
import aOne from './extensions/backend/events/a-one/a-one.extension.ts';
import bTwo from './extensions/backend/events/b-two/b-two.extension.ts';

export default app()
  .use(myPage)
  .use(aOne)
  .use(bTwo)
