import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: 'bd7f6c90-8b0e-4c23-945f-607182930415',
  source: './extensions/backend/events/contact-created/contact-created.ts',
});
