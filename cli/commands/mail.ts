import { join } from 'node:path';
import { escapeHtml } from '../../shared/mail/html';
import { FileMailer, fileSafe, LOCAL_MAIL_FROM, type Mailer } from '../../shared/mail/mailer';
import { SesMailer } from '../../shared/mail/ses';
import { getCommunity } from '../../shared/store/communities';
import { UsageError } from '../errors';
import { output } from '../output';
import type { Target } from '../target';

/**
 * `mail test <community>`: send a short test email to the community's
 * operators, so an operator can see that mail reaches them: a `.eml` file
 * locally, SES (from MAIL_FROM) against AWS.
 */
export async function mailTest(target: Target, communityId: string | undefined, json: boolean): Promise<void> {
  if (!communityId) throw new UsageError('mail test needs a community: hearth mail test <community>');
  const community = await getCommunity(target.db, communityId);
  if (!community) throw new UsageError(`no community "${communityId}"`);
  if (community.operators.length === 0) throw new UsageError(`community "${communityId}" has no operators to mail`);
  const aws = target.mode === 'aws';
  const from = process.env.MAIL_FROM ?? (aws ? undefined : LOCAL_MAIL_FROM);
  if (!from) throw new UsageError('MAIL_FROM must name the verified SES sender');
  const mailDir = join(target.dataDir, 'outbox', 'mail');
  const mailer: Mailer = aws ? new SesMailer() : new FileMailer(mailDir);
  const now = new Date();
  const id = `mailtest#${community.id}#operators#${now.getTime()}`;
  await mailer.send({
    id,
    from,
    to: community.operators,
    subject: `Hearth test email for ${community.name}`,
    text: `This is a test email from Hearth for ${community.name}. The weekly digest will arrive the same way.`,
    html: `<p>This is a test email from Hearth for <strong>${escapeHtml(community.name)}</strong>.</p><p>The weekly digest will arrive the same way.</p>`,
    date: now,
  });
  const where = aws ? 'SES' : join(mailDir, `${fileSafe(id)}.eml`);
  output(
    json,
    { sent: id, to: community.operators, via: where },
    () => `sent to ${community.operators.join(', ')} via ${where}`,
  );
}
