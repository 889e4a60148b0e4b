import type { Logger } from 'pino';
import { describeError } from '../logger';

/**
 * Runs a round of background work every `intervalMs`; overlapping calls share the round in
 * progress. A round that fails is logged, and the next one runs as planned.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Starts the rounds; with `now`, the first one runs at once instead of after one interval. */
  start(options: { now?: boolean } = {}): void {
    if (this.timer) return;
    if (options.now) void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the rounds, and waits for the one in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  tick(): Promise<void> {
    this.running ??= this.round()
      .catch((err: unknown) => this.log.error({ err: describeError(err) }, 'A round of background work failed; the next one runs as planned'))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
