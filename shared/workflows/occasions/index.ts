import type { Workflow } from '../contract';

export const occasions: Workflow = { name: 'occasions' };
