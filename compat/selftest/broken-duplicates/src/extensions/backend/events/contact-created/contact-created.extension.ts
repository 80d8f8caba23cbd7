import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '4b5c6d7e-8f90-4a1b-8c2d-e3f405162738',
  source: './extensions/backend/events/contact-created/contact-created.ts',
});
