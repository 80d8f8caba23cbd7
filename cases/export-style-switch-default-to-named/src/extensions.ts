import { app } from '@wix/astro/builders';
import myPage from './extensions/dashboard/pages/my-page/my-page.extension.ts';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';
import orderApproved from './extensions/backend/events/order-approved/order-approved.extension.ts';

export default app()
  .use(myPage)
  .use(contactCreated)
  .use(orderApproved)
