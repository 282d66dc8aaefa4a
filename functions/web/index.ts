// GET /: the landing page, one "Sign in with …" button per configured provider.
import { composeLandingPage } from '../../shared/compose/web.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const landing = await composeLandingPage();

export const handler = brokerHandler('page', async () => landing());
