import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '7c1e2d3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f',
  source: './extensions/backend/events/contact-created-copy/contact-created-copy.ts',
});
