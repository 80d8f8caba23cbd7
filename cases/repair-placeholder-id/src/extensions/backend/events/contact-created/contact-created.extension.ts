import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '{{GENERATE_UUID}}',
  source: './extensions/backend/events/contact-created/contact-created.ts',
});
