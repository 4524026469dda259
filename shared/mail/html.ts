/**
 * Every character HTML gives a meaning, as an entity: for any value put in an email's HTML. Apart from the
 * mailer, so that what renders an email does not bundle the SES client and the MIME composer.
 */
export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
