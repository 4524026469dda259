import { describe, expect, it } from 'vitest';
import {
  cronFieldMatches,
  DOMAIN_EVENT_TYPES,
  EVENT_SOURCE,
  FUNCTIONS,
  JOBS,
  RULES,
  rulePattern,
  SCHEDULES,
  scheduleExpression,
  scheduleFiresAt,
  WEBHOOK_ROUTE,
} from '../../infra/topology';

const functionNames = FUNCTIONS.map((fn) => fn.name);

describe('Module: topology', () => {
  describe('Function: scheduleExpression', () => {
    it('renders an EventBridge Scheduler cron expression', () => {
      // Act
      const every = scheduleExpression({ minute: '*', hour: '*' });
      const daily = scheduleExpression({ minute: '5', hour: '9' });
      const quarter = scheduleExpression({ minute: '*/15', hour: '*' });

      // Assess
      expect(every).toBe('cron(* * * * ? *)');
      expect(daily).toBe('cron(5 9 * * ? *)');
      expect(quarter).toBe('cron(*/15 * * * ? *)');
    });
  });

  describe('Function: cronFieldMatches', () => {
    it.each([0, 1, 30, 59])("matches every value with '*' (%i)", (value) => {
      // Act + Assess
      expect(cronFieldMatches('*', value)).toBe(true);
    });

    it.each([
      [0, true],
      [15, true],
      [30, true],
      [45, true],
      [1, false],
      [14, false],
      [59, false],
    ])("matches '*/15' against %i: %s", (value, expected) => {
      // Act + Assess
      expect(cronFieldMatches('*/15', value)).toBe(expected);
    });

    it.each([
      [5, true],
      [0, false],
      [15, false],
      [50, false],
    ])("matches '5' against %i: %s", (value, expected) => {
      // Act + Assess
      expect(cronFieldMatches('5', value)).toBe(expected);
    });
  });

  describe('Function: scheduleFiresAt', () => {
    it('fires on the UTC minute and hour of the cron fields', () => {
      // Prepare
      const cron = { minute: '30', hour: '9' };

      // Act
      const at0930 = scheduleFiresAt(cron, new Date('2026-11-25T09:30:00Z'));
      const at0931 = scheduleFiresAt(cron, new Date('2026-11-25T09:31:00Z'));
      const at1030 = scheduleFiresAt(cron, new Date('2026-11-25T10:30:00Z'));
      const shanghai0930 = scheduleFiresAt(cron, new Date('2026-11-25T09:30:00+08:00'));

      // Assess
      expect(at0930).toBe(true);
      expect(at0931).toBe(false);
      expect(at1030).toBe(false);
      expect(shanghai0930).toBe(false);
    });

    it('fires every minute for the dispatch schedule', () => {
      // Prepare
      const dispatch = SCHEDULES.find((s) => s.job === 'dispatch');

      // Act
      const fires = [0, 1, 17, 59].map((minute) =>
        scheduleFiresAt(dispatch?.cron ?? { minute: '-', hour: '-' }, new Date(Date.UTC(2026, 10, 25, 13, minute))),
      );

      // Assess
      expect(dispatch).toBeDefined();
      expect(fires).toEqual([true, true, true, true]);
    });
  });

  describe('Function: wiring', () => {
    it('has unique function names', () => {
      // Assess
      expect(new Set(functionNames).size).toBe(functionNames.length);
    });

    it('targets a function from every rule, schedule and the webhook route', () => {
      // Act
      const targets = [...RULES.map((r) => r.target), ...SCHEDULES.map((s) => s.target), WEBHOOK_ROUTE.target];

      // Assess
      expect(targets.length).toBeGreaterThan(2);
      for (const target of targets) expect(functionNames).toContain(target);
    });

    it('runs only known jobs on schedules', () => {
      // Assess
      expect(SCHEDULES.length).toBeGreaterThan(0);
      for (const schedule of SCHEDULES) expect(JOBS).toContain(schedule.job);
    });

    it('routes only domain event types, from the Hearth source', () => {
      // Assess
      for (const rule of RULES) {
        for (const type of rule.detailTypes) expect(DOMAIN_EVENT_TYPES).toContain(type);
        expect(rulePattern(rule)).toEqual({ source: [EVENT_SOURCE], 'detail-type': [...rule.detailTypes] });
      }
    });

    it('routes member.joined, member.left and member.reactivated to lifecycle', () => {
      // Act
      const targets = (type: string) => RULES.filter((r) => (r.detailTypes as readonly string[]).includes(type));

      // Assess
      expect(targets('member.joined').map((r) => r.target)).toContain('lifecycle');
      expect(targets('member.left').map((r) => r.target)).toContain('lifecycle');
      expect(targets('member.reactivated').map((r) => r.target)).toContain('lifecycle');
    });

    it('schedules every sweep job hourly and the dispatcher every minute', () => {
      // Act
      const byJob = Object.fromEntries(SCHEDULES.map((s) => [s.job, s]));

      // Assess
      expect(byJob.dispatch).toMatchObject({ cron: { minute: '*', hour: '*' }, target: 'dispatcher' });
      for (const job of ['birthdays', 'winback', 'onboarding']) {
        expect(byJob[job]).toMatchObject({ cron: { hour: '*' }, target: 'sweeps' });
        expect(byJob[job].cron.minute).toMatch(/^\d+$/);
      }
    });

    it('gives every function an entry file under functions/', () => {
      // Assess
      for (const fn of FUNCTIONS) expect(fn.entry).toBe(`functions/${fn.name}.ts`);
    });
  });
});
