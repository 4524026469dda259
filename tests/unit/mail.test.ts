import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { compose, FileMailer, type Mail } from '../../shared/mail/mailer';
import { SesMailer } from '../../shared/mail/ses';

const mail: Mail = {
  id: 'digest#acme#operators#2026-W48',
  from: 'Hearth <hearth@acme.example>',
  to: ['ops@acme.example', 'lead@acme.example'],
  subject: 'Acme Makers: week 48',
  text: 'WAU 120 (+8%)',
  html: '<p>WAU <strong>120</strong> (+8%)</p>',
  date: new Date('2026-11-30T01:00:00Z'),
};

describe('Module: mailer', () => {
  const ses = mockClient(SESv2Client);
  let dir: string | undefined;

  afterEach(async () => {
    ses.reset();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('composes an RFC 5322 multipart/alternative message with text and HTML parts', async () => {
    // Act
    const raw = (await compose(mail)).toString('utf8');

    // Assess
    expect(raw).toMatch(/^From: Hearth <hearth@acme\.example>\r\n/m);
    expect(raw).toContain('To: ops@acme.example, lead@acme.example');
    expect(raw).toContain('Subject: Acme Makers: week 48');
    expect(raw).toMatch(/Content-Type: multipart\/alternative;/);
    expect(raw).toMatch(/Content-Type: text\/plain; charset=utf-8/);
    expect(raw).toMatch(/Content-Type: text\/html; charset=utf-8/);
    expect(raw).toContain('Message-ID: <digest.acme.operators.2026-W48@hearth.local>');
  });

  it('FileMailer writes a mail id once: sent again (after a crash before it was recorded), the first stays', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'hearth-mail-'));
    const mailer = new FileMailer(dir);
    await mailer.send(mail);
    const first = await readFile(join(dir, 'digest_acme_operators_2026-W48.eml'), 'utf8');

    const firstHtml = await readFile(join(dir, 'digest_acme_operators_2026-W48.html'), 'utf8');

    // Act
    await new FileMailer(dir).send({
      ...mail,
      date: new Date('2026-11-30T01:05:00Z'),
      text: 'WAU 121',
      html: '<p>WAU 121</p>',
    });

    // Assess
    expect((await readdir(dir)).sort()).toEqual([
      'digest_acme_operators_2026-W48.eml',
      'digest_acme_operators_2026-W48.html',
    ]);
    expect(await readFile(join(dir, 'digest_acme_operators_2026-W48.eml'), 'utf8')).toBe(first);
    expect(await readFile(join(dir, 'digest_acme_operators_2026-W48.html'), 'utf8')).toBe(firstHtml);
  });

  it('FileMailer writes <id>.eml with a file-safe name, and its HTML part beside it', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'hearth-mail-'));

    // Act
    await new FileMailer(dir).send(mail);

    // Assess
    expect((await readdir(dir)).sort()).toEqual([
      'digest_acme_operators_2026-W48.eml',
      'digest_acme_operators_2026-W48.html',
    ]);
    expect(await readFile(join(dir, 'digest_acme_operators_2026-W48.eml'), 'utf8')).toContain('WAU 120');
    expect(await readFile(join(dir, 'digest_acme_operators_2026-W48.html'), 'utf8')).toBe(mail.html);
  });

  it('SesMailer sends the subject, text and HTML through SES v2 as UTF-8 simple content', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });

    // Act
    await new SesMailer(new SESv2Client({ region: 'us-east-1' })).send(mail);

    // Assess
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input.FromEmailAddress).toBe(mail.from);
    expect(input.Destination?.ToAddresses).toEqual(mail.to);
    expect(input.Content?.Raw).toBeUndefined();
    expect(input.Content?.Simple).toEqual({
      Subject: { Data: mail.subject, Charset: 'UTF-8' },
      Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
    });
  });

  it('SesMailer surfaces an SES failure to the caller (the dispatcher retries it)', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejects(new Error('MessageRejected'));

    // Act / Assess
    await expect(new SesMailer(new SESv2Client({ region: 'us-east-1' })).send(mail)).rejects.toThrow('MessageRejected');
  });
});
