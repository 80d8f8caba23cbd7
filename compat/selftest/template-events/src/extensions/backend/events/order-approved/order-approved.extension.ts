import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '6b1f0c9e-2d4a-4f3b-8e7c-1a2b3c4d5e6f',
  source: './extensions/backend/events/order-approved/order-approved.ts',
});
