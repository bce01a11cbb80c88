/**
 * A worker OS process for the fault suite: `node --import tsx test/faults/worker-process.ts
 * <queue,queue>` runs createWorkers on those queues with the PAC_* environment it was given, prints
 * "ready" once it polls, and stops on SIGTERM. The suite kills it with SIGKILL (its whole process
 * group: the opa and git children die with it, as they would with a lost machine or container).
 */
import { loadConfig } from '../../infra/config';
import { createWorkers, type QueueName } from '../../workers/main';

const queues = (process.argv[2] ?? 'main,lifecycle,drafting').split(',') as QueueName[];
const worker = await createWorkers(loadConfig(), { queues });
const running = worker.run();
process.stdout.write(`ready ${process.pid} ${queues.join(',')}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void worker.shutdown());
await running;
