import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';

interface DevCredentials {
  apiKey: string;
  jwtSecret: string;
}

/**
 * Outside production, a server with no API key or JWT secret configured gets development ones,
 * kept in the data folder so that restarts and `learnpulse token` agree with the server.
 * Returns the config to run with and what was generated (to print).
 */
export async function withDevCredentials(
  config: Config,
): Promise<{ config: Config; generated: Partial<DevCredentials> }> {
  const needsKey = config.apiKeys.length === 0;
  const needsSecret = !config.jwtSecret && !config.jwksUrl;
  if (config.production || (!needsKey && !needsSecret)) return { config, generated: {} };
  const creds = await loadOrCreate(config.dataDir);
  const generated: Partial<DevCredentials> = {};
  if (needsKey) generated.apiKey = creds.apiKey;
  if (needsSecret) generated.jwtSecret = creds.jwtSecret;
  return {
    config: Object.freeze({
      ...config,
      apiKeys: needsKey ? [creds.apiKey] : config.apiKeys,
      jwtSecret: needsSecret ? creds.jwtSecret : config.jwtSecret,
    }),
    generated,
  };
}

async function loadOrCreate(dataDir: string): Promise<DevCredentials> {
  const file = path.join(dataDir, 'dev-credentials.json');
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as DevCredentials;
  } catch {
    const creds = {
      apiKey: `dev_${randomBytes(18).toString('base64url')}`,
      jwtSecret: randomBytes(32).toString('base64url'),
    };
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
    return creds;
  }
}
