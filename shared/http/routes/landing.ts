// GET /: the landing page, one "Sign in with …" button per configured provider.

import type { BrokerConfig } from '../../config/index.ts';
import { landingPage } from '../landing.ts';
import { router } from './router.ts';

// Rendered per request: every page carries its own CSP nonce.
export const landingRoutes = (config: BrokerConfig) => router({ 'GET /': async () => landingPage(config) });
