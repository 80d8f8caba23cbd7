import { app } from '@wix/astro/builders';
import myPage from './extensions/dashboard/pages/my-page/my-page.extension.ts';
import { eventContactCreated } from './extensions/backend/events/contact-created/contact-created.extension';
import { eventOrderApproved } from './extensions/backend/events/order-approved/order-approved.extension';

export default app()
  .use(myPage)
  .use(eventContactCreated)
  .use(eventOrderApproved)
