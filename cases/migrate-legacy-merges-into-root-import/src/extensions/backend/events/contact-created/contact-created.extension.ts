import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '7f3b2e5c-4d6a-4e8f-a01b-2c3d4e5f6071',
  source: './extensions/backend/events/contact-created/contact-created.ts',
});
