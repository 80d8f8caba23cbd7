import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '11111111-2222-4333-8444-555555555555',
  source: './extensions/backend/events/order-approved/order-approved.ts',
});
