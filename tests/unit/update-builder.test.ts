import { describe, expect, it } from 'vitest';
import { UpdateBuilder } from '../../shared/store/update';

describe('Module: update', () => {
  describe('Function: UpdateBuilder.build', () => {
    it('builds SET, ADD and REMOVE clauses with placeholders', () => {
      // Prepare
      const ids = new Set(['e1']);
      const builder = new UpdateBuilder()
        .set('name', 'Ada')
        .setIfAbsent('firstSeenAt', '2026-11-25T17:30:00.000Z')
        .add('messages', 2)
        .addToSet('ids', ids)
        .remove('leaseUntil', 'duePk');

      // Act
      const built = builder.build();

      // Assess
      expect(built).toEqual({
        UpdateExpression:
          'SET #name = :v0, #firstSeenAt = if_not_exists(#firstSeenAt, :v1) ADD #messages :v2, #ids :v3 REMOVE #leaseUntil, #duePk',
        ExpressionAttributeNames: {
          '#name': 'name',
          '#firstSeenAt': 'firstSeenAt',
          '#messages': 'messages',
          '#ids': 'ids',
          '#leaseUntil': 'leaseUntil',
          '#duePk': 'duePk',
        },
        ExpressionAttributeValues: { ':v0': 'Ada', ':v1': '2026-11-25T17:30:00.000Z', ':v2': 2, ':v3': ids },
      });
    });

    it('adds the condition, which may use the builder names and values', () => {
      // Prepare
      const builder = new UpdateBuilder().set('status', 'sent');
      const condition = `${builder.name('status')} = ${builder.value('pending')}`;

      // Act
      const built = builder.build(condition);

      // Assess
      expect(built.ConditionExpression).toBe('#status = :v1');
      expect(built.UpdateExpression).toBe('SET #status = :v0');
      expect(built.ExpressionAttributeValues).toEqual({ ':v0': 'sent', ':v1': 'pending' });
    });

    it('skips set with an undefined value', () => {
      // Prepare
      const builder = new UpdateBuilder().set('name', 'Ada').set('birthday', undefined);

      // Act
      const built = builder.build();

      // Assess
      expect(built.UpdateExpression).toBe('SET #name = :v0');
      expect(built.ExpressionAttributeNames).toEqual({ '#name': 'name' });
      expect(built.ExpressionAttributeValues).toEqual({ ':v0': 'Ada' });
    });

    // DynamoDB refuses an update whose ExpressionAttributeNames holds a name the
    // expressions do not use ("Value provided in ExpressionAttributeNames unused
    // in expressions"), so a skipped setIfAbsent must not leave its name behind.
    it('skips setIfAbsent with an undefined value without leaving its name behind', () => {
      // Prepare
      const builder = new UpdateBuilder().set('name', 'Ada').setIfAbsent('joinedAt', undefined);

      // Act
      const built = builder.build();

      // Assess
      expect(built.UpdateExpression).toBe('SET #name = :v0');
      expect(built.ExpressionAttributeNames).toEqual({ '#name': 'name' });
    });

    it('skips add of 0', () => {
      // Prepare
      const builder = new UpdateBuilder().add('messages', 0).add('reactions', 1).add('joins', 0);

      // Act
      const built = builder.build();

      // Assess
      expect(built.UpdateExpression).toBe('ADD #reactions :v0');
      expect(built.ExpressionAttributeNames).toEqual({ '#reactions': 'reactions' });
      expect(built.ExpressionAttributeValues).toEqual({ ':v0': 1 });
    });

    it('adds negative numbers', () => {
      // Act
      const built = new UpdateBuilder().add('credits', -3).build();

      // Assess
      expect(built.UpdateExpression).toBe('ADD #credits :v0');
      expect(built.ExpressionAttributeValues).toEqual({ ':v0': -3 });
    });

    it('builds a REMOVE-only update without expression values', () => {
      // Act
      const built = new UpdateBuilder().remove('bdayPk', 'bdaySk').build();

      // Assess
      expect(built).toEqual({
        UpdateExpression: 'REMOVE #bdayPk, #bdaySk',
        ExpressionAttributeNames: { '#bdayPk': 'bdayPk', '#bdaySk': 'bdaySk' },
      });
      expect(built).not.toHaveProperty('ExpressionAttributeValues');
      expect(built).not.toHaveProperty('ConditionExpression');
    });

    it('builds nothing when every change was skipped', () => {
      // Prepare
      const builder = new UpdateBuilder().set('name', undefined).add('messages', 0);

      // Act
      const built = builder.build();

      // Assess
      expect(built).toEqual({ UpdateExpression: '', ExpressionAttributeNames: {} });
    });

    it('turns characters a placeholder cannot hold into underscores', () => {
      // Act
      const built = new UpdateBuilder().set('sent-at.v2', 1).build();

      // Assess
      expect(built.UpdateExpression).toBe('SET #sent_at_v2 = :v0');
      expect(built.ExpressionAttributeNames).toEqual({ '#sent_at_v2': 'sent-at.v2' });
    });
  });
});
