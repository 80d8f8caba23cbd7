import { extensions } from '@wix/astro/builders';

export const eventOrderApproved = extensions.event({
  id: 'ac6e5b8f-7a9d-4b12-834e-5f6071829304',
  source: './extensions/backend/events/order-approved/order-approved.ts',
});
