import * as z from 'zod';
import { urlSchema as url } from '../../domain/validation';

/** The `referrals` section. */
export const referralsSchema = z
  .strictObject({
    /** The link a member shares (`/invite`), with `{code}` where their code goes. */
    linkTemplate: url.refine((link) => link.includes('{code}'), 'must contain {code}').optional(),
  })
  .prefault({});
