import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: 'acee3cbd-c4fa-4846-b7bc-f347f342d87f',
  source: './extensions/backend/events/b-two/b-two.ts',
});
