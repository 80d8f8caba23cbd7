import { extensions } from '@wix/astro/builders';

export default extensions.dashboardPage({
  id: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
  title: 'Posts',
  routePath: 'posts',
  component: './extensions/dashboard/pages/posts/posts.tsx',
});
