/** Runs a round of background work every `intervalMs`; overlapping calls share the round in progress. */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly intervalMs: number,
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
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }
}
