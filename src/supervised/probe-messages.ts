// What locks/probe.ts hears from its worker (workers/lock-probe.ts).

/** A step it starts, a verdict on the module, or success. */
export type ProbeMessage = { step: string } | { bad: string } | { ok: true };
