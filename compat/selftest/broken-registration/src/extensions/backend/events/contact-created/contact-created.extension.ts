import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '1e2d3c4b-5a69-4788-9a0b-c1d2e3f40516',
  source: './extensions/backend/events/contact-created/contact-created.ts',
});
