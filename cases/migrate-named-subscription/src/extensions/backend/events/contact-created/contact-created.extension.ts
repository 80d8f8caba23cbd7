import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '8a4c3f6d-5e7b-4f90-b12c-3d4e5f607182',
  source: './extensions/backend/events/contact-created/contact-created.ts',
});
