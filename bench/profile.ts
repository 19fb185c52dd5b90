/**
 * Profiles the bot process under one benchmark with `node --cpu-prof` and prints where its CPU
 * time went. Usage:
 *   tsx bench/profile.ts preview [--images 10] [--turns 50]
 *   tsx bench/profile.ts approve [--clicks 100] [--rounds 1]   (after 1 round to warm up)
 *   tsx bench/profile.ts status [--turns 2000]   (after 5 approve rounds and open requests, as in run.ts)
 *   tsx bench/profile.ts echo [--turns 2000]     (the echo bot under the same `status` load)
 * The `.cpuprofile` file stays in the folder printed at the end; open it in Chrome DevTools.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator } from '../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../sandbox/seed';
import { VERSION_LIST_CONCURRENCY } from '../src/azure/inspect-gallery';
import { personalMessage } from '../test/support/activities';
import { startFakeConnector, type FakeConnector } from '../test/support/fake-connector';
import { runApproveBench, submitOpenRequests } from './approve-bench';
import { startBotChild, type BotChild } from './bot-child';
import { summarizeProfile } from './cpu-profile';
import { BENCH_PROFILES } from './profiles';
import { runPreviewBench } from './preview-bench';
import { measureThroughput } from './throughput';
import { USERS, personalChat } from './turns';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      images: { type: 'string', default: '10' },
      turns: { type: 'string', default: '' },
      clicks: { type: 'string', default: '100' },
      rounds: { type: 'string', default: '1' },
    },
  });
  const scenario = positionals[0];
  const folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-cpu-prof-'));
  const execArgv = ['--cpu-prof', `--cpu-prof-dir=${folder}`];
  const connector = await startFakeConnector();

  try {
    if (scenario === 'preview') {
      const imageCount = Number(values.images);
      const result = await runPreviewBench(
        {
          imageCounts: [imageCount],
          latencyInMs: 20,
          pageSize: 50,
          concurrency: VERSION_LIST_CONCURRENCY,
          turnsFor: () => ({ warmUp: 2, measured: Number(values.turns || 50) }),
          databaseFile: path.join(folder, 'preview.db'),
          botExecArgv: execArgv,
        },
        connector,
      );
      console.log(JSON.stringify(result.figures, null, 2));
    } else if (scenario === 'approve' || scenario === 'status') {
      const emulator = await startEmulator({
        seed: loadSeed(DEMO_SEED_PATH),
        port: 0,
        retryAfterInSeconds: 0,
      });
      const databaseFile = path.join(folder, 'bot.db');
      const bot = await startBotChild(
        {
          kind: 'gallery',
          resourceManagerUrl: emulator.url,
          caCertificate: emulator.caCertificate,
          databaseFile,
          logLevel: 'info',
        },
        execArgv,
      );
      if (scenario === 'approve') {
        const figures = await runApproveBench(
          {
            warmUpRounds: 1,
            rounds: Number(values.rounds),
            clicks: Number(values.clicks),
            storage: { databaseFile },
          },
          bot,
          connector,
          emulator,
        );
        console.log(JSON.stringify(figures, null, 2));
      } else {
        // A few approve rounds, then open requests of Lynne's for `status` to list, as in run.ts.
        await runApproveBench(
          { warmUpRounds: 0, rounds: 5, clicks: 4, storage: { databaseFile } },
          bot,
          connector,
          emulator,
        );
        await submitOpenRequests(bot, connector, BENCH_PROFILES.full.statusOpenRequests);
        await printStatusThroughput(bot, connector, values.turns);
      }
      await bot.stop();
      await emulator.close();
    } else if (scenario === 'echo') {
      const echo = await startBotChild({ kind: 'echo', logLevel: 'info' }, execArgv);
      await printStatusThroughput(echo, connector, values.turns);
      await echo.stop();
    } else {
      throw new Error(
        `Give a scenario: preview, approve, status or echo; got ${scenario ?? 'none'}.`,
      );
    }
  } finally {
    await connector.close();
  }
  printProfile(folder);
}

/**
 * Sends `status` from Lynne's 1:1 chat to `bot`, 20 in flight, `turns` of them (2,000 when
 * empty) after 100 to warm up, and prints the throughput. The connector's records are cleared
 * now and then.
 */
async function printStatusThroughput(
  bot: BotChild,
  connector: FakeConnector,
  turns: string,
): Promise<void> {
  const chat = personalChat(connector, USERS.lynne);
  const figures = await measureThroughput(
    bot,
    (index) => {
      if (index % 500 === 0) connector.reset();
      return personalMessage(chat, 'status');
    },
    { concurrency: 20, warmUpTurns: 100, turns: Number(turns || 2000), maxDurationInMs: 60_000 },
  );
  console.log(JSON.stringify(figures, null, 2));
}

/** Prints the largest profile in the folder: the bot's main thread. */
function printProfile(folder: string): void {
  const files = readdirSync(folder)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(folder, name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  const file = files[0];
  if (!file) throw new Error(`The bot process wrote no .cpuprofile into ${folder}.`);

  const summary = summarizeProfile(file);
  console.log(`\nCPU profile ${file}: ${summary.totalInMs.toFixed(0)} ms sampled`);
  console.log('\nSelf time by function (ms):');
  for (const [name, ms] of summary.selfByFunction)
    console.log(`${ms.toFixed(1).padStart(9)}  ${name}`);
  console.log('\nTime including callees, by file (ms):');
  for (const [name, ms] of summary.inclusiveByFile)
    console.log(`${ms.toFixed(1).padStart(9)}  ${name}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
