import { extensions } from '@wix/astro/builders';

export default extensions.embeddedScript({
  id: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
  name: 'Badge',
  source: './site/embeds/badge/badge.html',
  placement: 'BODY_END',
  scriptType: 'FUNCTIONAL',
});
