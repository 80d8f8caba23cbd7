import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '3a4b5c6d-7e8f-4a0b-9c1d-e2f304152637',
  source: './extensions/backend/events/contact-updated/contact-updated.ts',
});
