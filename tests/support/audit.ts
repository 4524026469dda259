/** What the demo's audit of its sinks reports when every guardrail held (demo/audit.ts): nothing broke a rule. */
export const NOTHING_BROKEN = {
  quietHours: 0,
  afterOptOut: 0,
  overCaps: 0,
  duplicates: 0,
  toDeparted: 0,
  examples: [],
} as const;
