import { extensions } from '@wix/astro/builders';

export default extensions.dashboardPage({
  id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  title: 'My Page',
  routePath: 'my-page',
  component: './extensions/dashboard/pages/my-page/my-page.tsx',
});
