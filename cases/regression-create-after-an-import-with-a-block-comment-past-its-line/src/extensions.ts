import { app } from '@wix/astro/builders';
import myPage from './extensions/dashboard/pages/my-page/my-page.extension'; /* TODO: split
   the page in two */

export default app()
  .use(myPage);
