import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '0d3f6a52-8c1e-4b7a-9e21-5f4c3b2a1d0e',
  source: './extensions/backend/events/contact-created/contact-created.ts',
});
