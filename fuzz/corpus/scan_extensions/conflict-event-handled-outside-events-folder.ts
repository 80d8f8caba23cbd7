import { app } from '@wix/astro/builders';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';
import { ordersWebhook } from './backend/orders/orders.extension';

export default app()
  .use(contactCreated)
  .use(ordersWebhook);
