import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: 'a7c3e5f1-9b2d-4e6a-b8c0-d2e4f6a8b0c1',
  source: './extensions/backend/events/booking-canceled/booking-canceled.ts',
});
