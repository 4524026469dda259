import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mail, Mailer } from './mailer';

/**
 * SES's refusals that no retry mends (SES v2's SendEmail errors): a rejected message or recipient, a sender
 * not verified, an account or configuration that may not send. The dispatcher parks the item at once with
 * the reason. Everything else (TooManyRequestsException, LimitExceededException, a 5xx, a network error)
 * is retried with backoff, after the SDK's own retries.
 */
export const SES_PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
  'BadRequestException',
]);

/**
 * Sends through SES (v2) as simple content: subject, text and HTML, each UTF-8, and SES builds the MIME
 * message. Not the raw message the local mailer writes (`compose`): that needs a MIME composer
 * (nodemailer's, 129 KB) in the dispatcher's bundle, for no part SES cannot build itself (the digest has
 * no attachments). The text and HTML are the same; the headers are SES's.
 */
export class SesMailer implements Mailer {
  constructor(private readonly client: SESv2Client = new SESv2Client({})) {}

  async send(mail: Mail): Promise<void> {
    try {
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: mail.from,
          Destination: { ToAddresses: mail.to },
          Content: {
            Simple: {
              Subject: { Data: mail.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
            },
          },
        }),
      );
    } catch (error) {
      const name = (error as Error).name;
      if (!SES_PERMANENT.has(name)) throw error;
      throw Object.assign(new Error(`SES refused the mail (${name}): ${(error as Error).message}`), {
        retryable: false,
      });
    }
  }
}
