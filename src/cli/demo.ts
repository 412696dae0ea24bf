import { signToken } from '../auth/token.js';
import type { ConfigFlags } from '../config/config.js';
import { generateDemo } from '../demo/generate.js';
import { type LiveActivity, startLiveActivity } from '../demo/live-activity.js';
import { earlierDemo, resumeLiveSession } from '../demo/rerun.js';
import { seedDemo } from '../demo/seed.js';
import { PROJECTIONS } from '../projections/registry.js';
import { serve } from './serve.js';

/**
 * `learnpulse demo`: the server, a generated platform in it, live activity on top, and the ways
 * in printed.
 */
export async function runDemo(flags: ConfigFlags, learners: number): Promise<void> {
  const started = Date.now();
  const demo = generateDemo(learners, new Date());
  let activity: LiveActivity | undefined;
  let earlier: Date | null = null;
  let loaded = '';
  const { config, url, logger } = await serve(flags, {
    beforeListen: async (server) => {
      const log = server.app.log;
      const previous = await earlierDemo(server.db, demo);
      if (previous) {
        earlier = new Date(previous.createdAt);
        await resumeLiveSession(server.db, demo, previous, new Date());
        log.warn(
          { generatedAt: previous.createdAt, dataDir: flags.dataDir },
          'The data folder holds an earlier demo: kept as it is (delete the folder for a fresh one)',
        );
      } else {
        const seeding = Date.now();
        const r = await seedDemo(server.db, PROJECTIONS, server.committer, demo);
        const ms = Date.now() - seeding;
        loaded = `${r.events.toLocaleString('en-US')} events loaded in ${(ms / 1000).toFixed(1)} s`;
        log.info({ events: r.events, newlyStored: r.accepted, ms }, 'Demo platform loaded');
      }
      activity = startLiveActivity({
        db: server.db,
        committer: server.committer,
        demo,
        onError: (err) => log.error({ err }, 'demo live activity failed'),
      });
      // Stop sending before the committer closes (server.close closes the app first).
      server.app.addHook('onClose', async () => activity?.stop());
    },
  });
  demo.events = []; // the history is in the database now; the live activity needs only the states
  logger.info({ ms: Date.now() - started }, 'Demo ready');
  console.log(await banner(demo, url, config, loaded, earlier));
}

/** What `learnpulse demo` prints: where it runs, links into each dashboard view, and credentials. */
async function banner(
  demo: ReturnType<typeof generateDemo>,
  url: string,
  config: { apiKeys: readonly string[]; jwtSecret?: string | undefined; dataDir: string },
  loaded: string,
  earlier: Date | null,
): Promise<string> {
  const course = demo.courses[0]!;
  const video = course.items.find((i) => i.type === 'video' && i.position >= 4) ?? course.items[1]!;
  const finished = demo.liveSessions.filter((s) => s.id.startsWith('demo-live-ds-')).map((s) => s.id);
  const lines = [
    '',
    `learnpulse demo is running at ${url}`,
    earlier
      ? `  The data folder ${config.dataDir} holds the demo generated ${earlier.toISOString().slice(0, 16).replace('T', ' ')} UTC, kept as it is (delete the folder for a fresh one); live activity goes on.`
      : `  ${demo.users.length - 3} learners, ${demo.courses.length} courses, ${demo.liveSessions.length} live sessions (one live now); ${loaded}; live activity every 1.5 s.`,
    `  API reference: ${url}/docs`,
  ];
  const secret = config.jwtSecret;
  if (secret) {
    const instructor = await signToken(
      secret,
      { userId: demo.instructorId, role: 'instructor', name: 'Dr. Ines Ramos' },
      '7d',
    );
    const learner = await signToken(secret, { userId: demo.showcaseLearnerId, role: 'student' }, '7d');
    const admin = await signToken(secret, { userId: demo.adminId, role: 'admin' }, '7d');
    const open = (token: string, hash: string) => `${url}/?token=${token}#${hash}`;
    lines.push(
      '',
      '  Dashboard (each link signs in with its token):',
      `    course overview    ${open(instructor, `/courses/${course.id}`)}`,
      `    video retention    ${open(instructor, `/courses/${course.id}/videos/${video.id}`)}`,
      `    live session now   ${open(instructor, `/live/${demo.liveNow.sessionId}`)}`,
      `    sessions compared  ${open(instructor, `/live/compare?ids=${finished.join(',')}`)}`,
      `    learner home       ${open(learner, '/')}`,
      `    admin              ${open(admin, '/')}`,
      '',
      '  For the API:',
      `    export LP_KEY=${config.apiKeys[0] ?? ''}`,
      `    export LP_INSTRUCTOR=${instructor}`,
      `    export LP_LEARNER=${learner}`,
      `    curl -H "Authorization: Bearer $LP_INSTRUCTOR" ${url}/api/v1/courses/${course.id}/analytics`,
      `    curl -H "Authorization: Bearer $LP_INSTRUCTOR" ${url}/api/v1/courses/${course.id}/at-risk`,
      `    curl -H "Authorization: Bearer $LP_INSTRUCTOR" ${url}/api/v1/live-sessions/${demo.liveNow.sessionId}/analytics`,
      `    curl -H "Authorization: Bearer $LP_LEARNER" ${url}/api/v1/me/stats`,
      `    curl -H "Authorization: Bearer $LP_KEY" "${url}/api/v1/feed?limit=5"`,
    );
  } else {
    lines.push(`  API key: ${config.apiKeys[0] ?? '(set LEARNPULSE_API_KEYS)'}`);
  }
  return lines.join('\n');
}
