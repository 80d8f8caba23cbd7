import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '3f9a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718',
  source: './extensions/backend/events/contact-created/contact-created.ts',
});
