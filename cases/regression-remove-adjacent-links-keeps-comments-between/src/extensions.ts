import { app } from '@wix/astro/builders';
import myPage from './extensions/dashboard/pages/my-page/my-page.extension.ts';
// contact handler
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';
import orderApproved from './extensions/backend/events/order-approved/order-approved.extension'; // orders

export default app()
  // first: the page
  .use(myPage)
  // TODO: keep this note about contacts
  .use(contactCreated) // contact
  // NOTE: orders below
  .use(orderApproved); // end
