import { signToken } from '../auth/token.js';
import type { ConfigFlags } from '../config/config.js';
import { generateDemo } from '../demo/generate.js';
import { seedDemo } from '../demo/seed.js';
import { PROJECTIONS } from '../projections/registry.js';
import { serve } from './serve.js';

/** `learnpulse demo`: the server, a generated platform in it, and the ways in printed. */
export async function runDemo(flags: ConfigFlags, learners: number): Promise<void> {
  const demo = generateDemo(learners, new Date());
  const { config, url } = await serve(flags, {
    beforeListen: async (server) => {
      const started = Date.now();
      const r = await seedDemo(server.db, PROJECTIONS, server.committer, demo);
      server.app.log.info(
        { events: r.events, newlyStored: r.accepted, ms: Date.now() - started },
        'Demo platform loaded',
      );
    },
  });
  const secret = config.jwtSecret;
  const learner = demo.courses[0]!.students[0]!;
  const lines = [
    '',
    `learnpulse demo is running at ${url}`,
    `  API reference:   ${url}/docs`,
    `  API key:         ${config.apiKeys[0] ?? '(set LEARNPULSE_API_KEYS)'}`,
  ];
  if (secret) {
    lines.push(
      `  Instructor token: ${await signToken(secret, { userId: demo.instructorId, role: 'instructor', name: 'Dr. Ines Ramos' }, '7d')}`,
      `  Learner token:    ${await signToken(secret, { userId: learner, role: 'student' }, '7d')}`,
      `  Admin token:      ${await signToken(secret, { userId: demo.adminId, role: 'admin' }, '7d')}`,
      '',
      `  Try: curl -H "Authorization: Bearer <instructor token>" ${url}/api/v1/courses/demo-course-1/analytics`,
      `       curl -H "Authorization: Bearer <instructor token>" ${url}/api/v1/courses/demo-course-1/at-risk`,
      `       curl -H "Authorization: Bearer <learner token>" ${url}/api/v1/me/stats`,
    );
  }
  console.log(lines.join('\n'));
}
