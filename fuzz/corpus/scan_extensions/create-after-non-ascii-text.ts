// Café Ünïcödé — 日本語のコメント 🎉
import { app } from '@wix/astro/builders';
import myPage from './extensions/dashboard/pages/my-page/my-page.extension.ts'; // página

/* «registro» */
export default app()
  .use(myPage) // ✓ página
