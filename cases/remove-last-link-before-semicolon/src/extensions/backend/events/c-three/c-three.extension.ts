import { extensions } from '@wix/astro/builders';

export default extensions.event({
  id: 'e4d3c2b1-a098-4765-8432-10fedcba9876',
  source: './extensions/backend/events/c-three/c-three.ts',
});
