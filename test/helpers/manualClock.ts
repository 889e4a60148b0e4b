import type { Clock } from '../../bot/domain/clock';

/** A clock that moves only when a test says so. */
export class ManualClock implements Clock {
  constructor(private ms: number = Date.parse('2026-03-02T09:00:00.000Z')) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Real time, plus jumps forward when a test says so: for a running bot whose timers must still fire. */
export class JumpingClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
