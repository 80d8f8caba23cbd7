import { extensions } from '@wix/astro/builders';

export const ordersWebhook = extensions.event({
  id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  source: './backend/orders/orders.ts',
});
