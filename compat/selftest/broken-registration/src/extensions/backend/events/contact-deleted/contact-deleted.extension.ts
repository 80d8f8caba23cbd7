import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '2f3e4d5c-6b7a-4899-8b1c-d2e3f4051627',
  source: './extensions/backend/events/contact-deleted/contact-deleted.ts',
});
