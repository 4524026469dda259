import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatMessage, FileChatSender } from '../../shared/chat/sender';

const NOW = new Date('2026-11-25T10:00:00Z');

/** A message with every optional field set, so that each one's absence from the file is checked. */
const message = (extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 'welcome#acme#ada',
  communityId: 'acme',
  platform: 'generic',
  kind: 'welcome',
  memberId: 'ada',
  delivery: 'dm',
  channel: null,
  text: 'Welcome, Ada!',
  memberName: 'Ada Lovelace',
  mention: true,
  dmFallback: true,
  interactionToken: 'aW50ZXJhY3Rpb24tdG9rZW4',
  ...extra,
});

describe('Class: FileChatSender', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-chat-'));
    file = join(dir, 'outbox', 'chat.jsonl');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const lines = async () =>
    (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes exactly the contract’s fields (docs/contract.md), in order, and nothing personal or secret', async () => {
    // Act
    const result = await new FileChatSender(file).send(message(), NOW);

    // Assess
    expect(result).toBeUndefined();
    const [line] = await lines();
    expect(Object.keys(line)).toEqual([
      'id',
      'communityId',
      'platform',
      'kind',
      'memberId',
      'channel',
      'text',
      'sentAt',
    ]);
    expect(line).toEqual({
      id: 'welcome#acme#ada',
      communityId: 'acme',
      platform: 'generic',
      kind: 'welcome',
      memberId: 'ada',
      channel: null,
      text: 'Welcome, Ada!',
      sentAt: NOW.toISOString(),
    });
    const raw = await readFile(file, 'utf8');
    expect(raw).not.toContain('Ada Lovelace');
    expect(raw).not.toContain('aW50ZXJhY3Rpb24tdG9rZW4');
  });

  it('appends one line a message, creating the outbox folder', async () => {
    // Prepare
    const sender = new FileChatSender(file);

    // Act
    await sender.send(message({ id: 'one', channel: 'general', delivery: 'channel' }), NOW);
    await sender.send(message({ id: 'two' }), NOW);

    // Assess
    expect((await lines()).map((line) => [line.id, line.channel])).toEqual([
      ['one', 'general'],
      ['two', null],
    ]);
  });

  it('writes an outbox id once, even when a second process sends it again after the first died unrecorded', async () => {
    // Prepare: the first dispatcher's process sent "once" and died before recording it; its successor sends
    // it again once the lease has run out. Another line, "other", came in between from yet another process.
    await new FileChatSender(file).send(message({ id: 'once' }), NOW);
    const successor = new FileChatSender(file);
    await successor.send(message({ id: 'before' }), NOW);
    await new FileChatSender(file).send(message({ id: 'other' }), NOW);

    // Act
    const again = await successor.send(
      message({ id: 'once', text: 'rendered again' }),
      new Date(NOW.getTime() + 60_000),
    );
    await successor.send(message({ id: 'other' }), NOW);
    await successor.send(message({ id: 'after' }), NOW);

    // Assess
    expect(again).toBeUndefined();
    const written = await lines();
    expect(written.map((line) => line.id)).toEqual(['once', 'before', 'other', 'after']);
    expect(written[0]).toMatchObject({ text: 'Welcome, Ada!', sentAt: NOW.toISOString() });
  });

  it('keeps concurrent sends whole and writes each id once', async () => {
    // Prepare
    const sender = new FileChatSender(file);
    const ids = Array.from({ length: 30 }, (_, i) => `m${i % 10}`);

    // Act
    await Promise.all(ids.map((id) => sender.send(message({ id }), NOW)));

    // Assess
    expect((await lines()).map((line) => line.id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
  });

  it('starts its record again when the file is cleared or replaced, so the new file gets each id once', async () => {
    // Prepare: a sender that has read a file holding "x" and "y".
    const sender = new FileChatSender(file);
    await sender.send(message({ id: 'x' }), NOW);
    await sender.send(message({ id: 'y' }), NOW);
    await writeFile(file, '');
    await new FileChatSender(file).send(message({ id: 'a' }), NOW);
    await new FileChatSender(file).send(message({ id: 'b' }), NOW);

    // Act: "a" again (the other process wrote it) and "x" again (it went to a file that is gone).
    await sender.send(message({ id: 'a' }), NOW);
    await sender.send(message({ id: 'x' }), NOW);

    // Assess
    expect((await lines()).map((line) => line.id)).toEqual(['a', 'b', 'x']);
  });
});
