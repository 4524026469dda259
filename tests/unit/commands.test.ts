import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { interpretCommand } from '../../shared/domain/commands';
import { commandIn } from '../../shared/domain/events';
import { inviteCodeFrom } from '../../shared/workflows/referrals/store';

const interpret = (text: string, botUsername?: string) => {
  const command = commandIn(text);
  return command && interpretCommand(command, botUsername === undefined ? {} : { botUsername });
};

describe('Module: commands', () => {
  describe('Function: interpretCommand', () => {
    it.each([
      ['/birthday 03-14', { kind: 'birthday', birthday: '03-14' }],
      ['/birthday 1990-02-29', { kind: 'birthday', birthday: '1990-02-29' }],
      ['/birthday 02-29', { kind: 'birthday', birthday: '02-29' }],
      ['/timezone Asia/Shanghai', { kind: 'timezone', timezone: 'Asia/Shanghai' }],
      ['/timezone america/new_york', { kind: 'timezone', timezone: 'America/New_York' }],
      ['/timezone UTC', { kind: 'timezone', timezone: 'UTC' }],
      ['/optout', { kind: 'optout' }],
      ['/optin', { kind: 'optin' }],
      ['/invite', { kind: 'invite' }],
      ['/points', { kind: 'points' }],
      ['/help', { kind: 'help' }],
      ['/start', { kind: 'help' }],
      ['/Birthday@HearthBot 12-01', { kind: 'birthday', birthday: '12-01' }],
      ['/hearth birthday 03-14', { kind: 'birthday', birthday: '03-14' }],
      ['/hearth OPTOUT', { kind: 'optout' }],
      ['/hearth', { kind: 'help' }],
      ['/hearth dance', { kind: 'help' }],
      ['@_user_1 /birthday 03-14', { kind: 'birthday', birthday: '03-14' }],
      ['<@U0HEARTH> /points', { kind: 'points' }],
      [' @Hearth  /optout', { kind: 'optout' }],
    ])('%s → %o', (text, action) => {
      // Act
      const result = interpret(text);

      // Assess
      expect(result).toEqual(action);
    });

    it.each([
      ['/birthday', 'birthday'],
      ['/birthday 14-03', 'birthday'],
      ['/birthday 02-30', 'birthday'],
      ['/birthday March 14', 'birthday'],
      ['/timezone', 'timezone'],
      ['/timezone Mars/Olympus_Mons', 'timezone'],
      ['/timezone +08:00', 'timezone'],
      ['/timezone Europe/Berlin Europe/Paris', 'timezone'],
    ])('%s asks for the expected form of %s', (text, command) => {
      // Act
      const result = interpret(text);

      // Assess
      expect(result).toEqual({ kind: 'usage', command });
    });

    it.each(['/ban @someone', '/weather', '/hearthbeat'])('%s is not for Hearth: no answer', (text) => {
      // Act
      const result = interpret(text);

      // Assess
      expect(result).toBeUndefined();
    });

    it.each([
      ['/start@HearthBot', { kind: 'help' }],
      ['/help@hearthbot', { kind: 'help' }],
      ['/OPTOUT@HEARTHBOT', { kind: 'optout' }],
      ['/birthday@HearthBot 03-14', { kind: 'birthday', birthday: '03-14' }],
      ['/start', { kind: 'help' }],
      ['/points', { kind: 'points' }],
      ['/start@OtherBot', undefined],
      ['/help@OtherBot', undefined],
      ['/birthday@OtherBot 03-14', undefined],
      ['/hearth@OtherBot points', undefined],
      ['/start@HearthBot_old', undefined],
    ])('with botUsername HearthBot, %s → %o', (text, action) => {
      // Act
      const result = interpret(text, 'HearthBot');

      // Assess
      expect(result).toEqual(action);
    });

    it.each([
      ['/start@OtherBot', undefined],
      ['/help@OtherBot', undefined],
      ['/start@HearthBot', undefined],
      ['/tz@OtherBot Europe/Berlin', undefined],
      ['/birthday@AnyBot 03-14', { kind: 'birthday', birthday: '03-14' }],
      ['/timezone@AnyBot UTC', { kind: 'timezone', timezone: 'UTC' }],
      ['/optout@AnyBot', { kind: 'optout' }],
      ['/optin@AnyBot', { kind: 'optin' }],
      ['/invite@AnyBot', { kind: 'invite' }],
      ['/points@AnyBot', { kind: 'points' }],
      ['/hearth@AnyBot help', { kind: 'help' }],
      ['/start', { kind: 'help' }],
      ['/help', { kind: 'help' }],
    ])(
      'without botUsername, a command naming a bot is taken only by a Hearth-specific name: %s → %o',
      (text, action) => {
        // Act
        const result = interpret(text);

        // Assess
        expect(result).toEqual(action);
      },
    );
  });

  describe('Function: inviteCodeFrom', () => {
    it('gives 8 characters without look-alikes, the same for the same digest', () => {
      // Prepare
      const digest = createHash('sha256').update('acme#U1#0').digest();

      // Act
      const code = inviteCodeFrom(digest);

      // Assess
      expect(code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
      expect(inviteCodeFrom(digest)).toBe(code);
      expect(inviteCodeFrom(createHash('sha256').update('acme#U2#0').digest())).not.toBe(code);
    });
  });
});
