import { extensions } from '@wix/astro/builders';

export default extensions.dashboardPage({
  id: '3f9a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718',
  title: 'Loyalty',
  routePath: 'loyalty',
  component: './extensions/dashboard/pages/my-page/my-page.tsx',
});
