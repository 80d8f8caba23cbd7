import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '9b5d4a7e-6f8c-4a01-b23d-4e5f60718293',
  source: './extensions/backend/events/contact-created/contact-created.ts',
});
