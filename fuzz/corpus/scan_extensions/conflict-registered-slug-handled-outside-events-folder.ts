import { app } from '@wix/astro/builders';
import postsPage from './extensions/dashboard/pages/posts/posts.extension.ts';
import { blogWebhook } from './backend/blog/blog.extension';

export default app()
  .use(postsPage)
  .use(blogWebhook);
