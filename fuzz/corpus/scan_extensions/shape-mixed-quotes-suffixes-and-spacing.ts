import{ app }from'@wix/astro/builders'
import myPage from "./extensions/dashboard/pages/my-page/my-page.extension";
import contactCreated from "./extensions/backend/events/contact-created/contact-created.extension";
import orderApproved from "./extensions/backend/events/order-approved/order-approved.extension"

export default app()
  .use(myPage)
  .use(contactCreated)
  .use(orderApproved)
