import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: '60c79ff6-9e35-4db4-bd11-2fe1b9d1c727',
  source: './extensions/backend/events/a-one/a-one.ts',
});
