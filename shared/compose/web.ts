import { loadConfig } from '../config/index.ts';
import { landingPage } from '../http/landing.ts';

export const composeLandingPage = async () => {
  const config = await loadConfig();
  return () => landingPage(config);
};
