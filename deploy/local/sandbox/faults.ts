/**
 * Fault injection for the LOA sandbox: the failures the bot must survive (rate limiting,
 * outages, lost answers) on demand, either queued one by one or rolled at a rate.
 */
import { z } from 'zod';

/** Route keys faults and call counters are kept by. `token` covers both token endpoints. */
export const SANDBOX_ROUTES = ['token', 'create', 'get', 'delete'] as const;
export type SandboxRoute = (typeof SANDBOX_ROUTES)[number];

/**
 * `hang` never answers (the socket stays open until the client gives up or the sandbox
 * closes); `reset` destroys the socket without answering.
 */
export const FAULT_KINDS = ['429', '500', '503', 'hang', 'reset'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface RouteFaults {
  /** Delay before anything else happens to the request. */
  latencyMs?: number;
  /** Retry-After of a 429, in seconds (default 1). */
  retryAfterS?: number;
  /** Probability of each fault; they are rolled cumulatively, so their sum must not exceed 1. */
  rates?: Partial<Record<FaultKind, number>>;
  /** Faults served to the next requests in order, before any rate is rolled. */
  next?: FaultKind[];
}

/**
 * Which faults the sandbox injects, per route. A setting on a route wins over the same
 * setting under `*`; a route's `next` queue is drained before the one under `*`.
 */
export type FaultPlan = Partial<Record<SandboxRoute | '*', RouteFaults>>;

const probability = z.number().min(0).max(1);

const routeFaultsSchema = z
  .object({
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    retryAfterS: z.number().int().min(0).max(3600).optional(),
    rates: z
      .object({ '429': probability, '500': probability, '503': probability, hang: probability, reset: probability })
      .partial()
      .strict()
      .refine((rates) => Object.values(rates).reduce((sum, rate) => sum + rate, 0) <= 1, 'the rates must add up to 1 at most')
      .optional(),
    next: z.array(z.enum(FAULT_KINDS)).max(1000).optional(),
  })
  .strict();

const faultPlanSchema = z
  .object({
    token: routeFaultsSchema,
    create: routeFaultsSchema,
    get: routeFaultsSchema,
    delete: routeFaultsSchema,
    '*': routeFaultsSchema,
  })
  .partial()
  .strict();

/** Checks a fault plan from JSON (LOA_SANDBOX_FAULTS or PUT /_sandbox/faults); throws listing every problem. */
export function parseFaultPlan(input: unknown, source = 'fault plan'): FaultPlan {
  const parsed = faultPlanSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
  throw new Error(`The sandbox ${source} is invalid:\n${problems}`);
}

/** Holds the current plan and decides, request by request, which fault to serve. */
export class FaultInjector {
  private plan: FaultPlan = {};

  constructor(
    plan: FaultPlan,
    private readonly random: () => number,
  ) {
    this.replace(plan);
  }

  /** Validates and copies the plan, so that draining `next` never touches the caller's object. */
  replace(plan: FaultPlan): void {
    this.plan = structuredClone(parseFaultPlan(plan));
  }

  clear(): void {
    this.plan = {};
  }

  latencyMs(route: SandboxRoute): number {
    return this.plan[route]?.latencyMs ?? this.plan['*']?.latencyMs ?? 0;
  }

  retryAfterS(route: SandboxRoute): number {
    return this.plan[route]?.retryAfterS ?? this.plan['*']?.retryAfterS ?? 1;
  }

  /** Consumes a queued fault or rolls the rates; undefined means the request is served normally. */
  nextFault(route: SandboxRoute): FaultKind | undefined {
    const queued = this.plan[route]?.next?.shift() ?? this.plan['*']?.next?.shift();
    if (queued) return queued;
    const rates = this.plan[route]?.rates ?? this.plan['*']?.rates;
    if (!rates) return undefined;
    const roll = this.random();
    let cumulative = 0;
    for (const kind of FAULT_KINDS) {
      cumulative += rates[kind] ?? 0;
      if (roll < cumulative) return kind;
    }
    return undefined;
  }
}
