import { randomUUID } from 'node:crypto';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

/** An email to operators: always both a text and an HTML part. */
export interface Mail {
  /** Deterministic id (the outbox id); names the local file. */
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  date: Date;
}

/** The sender of mail written locally (`.eml` files) when `MAIL_FROM` names none. */
export const LOCAL_MAIL_FROM = 'Hearth <hearth@localhost>';

/** Something that delivers mail. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** The RFC 5322 message, multipart/alternative with text and HTML parts. */
export async function compose(mail: Mail): Promise<Buffer> {
  const composer = new MailComposer({
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    date: mail.date,
    messageId: `<${mail.id.replace(/[^A-Za-z0-9._-]/g, '.')}@hearth.local>`,
  });
  return composer.compile().build();
}

/**
 * The local stand-in for SES: `<dir>/<id>.eml` (docs/contract.md), and its HTML part as `<id>.html` to
 * open in a browser. Idempotent by id: the message is
 * written whole under a temporary name and linked into place only if no file has that name yet, so a mail
 * sent again after a crash (the dispatcher died before recording it) leaves the first one as it was, and a
 * crash mid-write leaves no half a message under the real name.
 */
export class FileMailer implements Mailer {
  constructor(private readonly dir: string) {}

  async send(mail: Mail): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${fileSafe(mail.id)}.eml`);
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, await compose(mail));
    try {
      await link(temporary, path);
    } catch (error) {
      // Already there: this mail went out before.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(temporary, { force: true });
    }
    // Its HTML part beside it, for a browser: the first one's, like the message (a crash before it is
    // mended by the next send of the same mail).
    await writeFile(path.replace(/\.eml$/, '.html'), mail.html, { flag: 'wx' }).catch((error) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
  }
}

/** Outbox ids hold `#`; file names get `_` instead. */
export const fileSafe = (id: string): string => id.replace(/[^A-Za-z0-9._-]/g, '_');
